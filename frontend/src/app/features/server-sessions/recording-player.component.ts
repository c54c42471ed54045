import { ChangeDetectionStrategy, Component, DestroyRef, ElementRef, effect, inject, input, output, signal, untracked, viewChild } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatButtonToggleModule } from '@angular/material/button-toggle';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import type { TerminalSession } from '@chatops/protocol';
import { Subscription } from 'rxjs';
import { describeHttpError } from '../../core/api/error-message';
import { TerminalApi } from '../../core/api/terminal-api.service';
import { IconComponent } from '../../shared/ui/icon.component';
import { RECORDING_PLAYER_FACTORY, RecordingPlayer } from './recording-player';

export const SPEEDS = [0.5, 1, 2, 4] as const;

/**
 * Plays one recorded session in the page: the asciicast is fetched with the Bearer token and
 * handed to asciinema-player as data (the Sessions tab loads this component with `@defer`). Its own bar seeks (click, ←/→) and pauses (space); this
 * component adds play/pause and speed buttons around it.
 */
@Component({
  selector: 'app-recording-player',
  imports: [MatButtonModule, MatButtonToggleModule, MatProgressBarModule, IconComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="bar">
      <button mat-stroked-button type="button" (click)="toggle()" [disabled]="state() !== 'ready'" data-testid="player-toggle">
        <app-icon [name]="playing() ? 'stop' : 'play'" [size]="16" /> {{ playing() ? 'Pause' : 'Play' }}
      </button>
      <button mat-button type="button" (click)="restart()" [disabled]="state() !== 'ready'" data-testid="player-restart">
        <app-icon name="replay" [size]="16" /> From the start
      </button>
      <mat-button-toggle-group aria-label="Playback speed" [value]="speed()" (change)="setSpeed($event.value)" hideSingleSelectionIndicator data-testid="player-speed">
        @for (s of speeds; track s) { <mat-button-toggle [value]="s" [attr.aria-label]="'Speed ' + s + '×'">{{ s }}×</mat-button-toggle> }
      </mat-button-toggle-group>
      <button mat-button type="button" class="close" (click)="closed.emit()" data-testid="player-close">Close player</button>
    </div>
    @if (state() === 'loading') { <mat-progress-bar mode="indeterminate" aria-label="Loading the recording" /> }
    @if (state() === 'error') { <p class="error-text" role="alert" data-testid="player-error">{{ error() }}</p> }
    <div #host class="host" data-testid="player" [attr.aria-label]="'Recording of the session of ' + (session().username ?? 'an unknown user')"></div>
  `,
  styles: `
    :host { display: block; margin: 8px 0 16px; padding: 12px; border-radius: 12px; background: var(--mat-sys-surface-container); }
    .bar { display: flex; flex-wrap: wrap; align-items: center; gap: 8px; margin-bottom: 8px; }
    .close { margin-left: auto; }
    /* the player scales the recording to fit this box (fit: 'both') */
    .host { height: min(60vh, 520px); }
  `,
})
export class RecordingPlayerComponent {
  private readonly api = inject(TerminalApi);
  private readonly createPlayer = inject(RECORDING_PLAYER_FACTORY);
  readonly session = input.required<TerminalSession>();
  readonly closed = output<void>();
  private readonly host = viewChild.required<ElementRef<HTMLElement>>('host');

  protected readonly speeds = SPEEDS;
  protected readonly state = signal<'loading' | 'ready' | 'error'>('loading');
  protected readonly error = signal('');
  protected readonly speed = signal<number>(1);
  protected readonly playing = signal(false);

  private player: RecordingPlayer | null = null;
  private cast = '';
  private sub: Subscription | null = null;

  constructor() {
    effect(() => {
      const id = this.session().id;
      untracked(() => this.load(id));
    });
    // asciinema-player compiles a WebAssembly terminal emulator and does not report failures to its
    // caller: a page whose CSP lacks 'wasm-unsafe-eval' would just show an empty box.
    const onRejection = (e: PromiseRejectionEvent) => {
      if (e.reason instanceof WebAssembly.CompileError && this.player) {
        this.showError('The player could not start: this page may not compile WebAssembly (the server\'s Content-Security-Policy needs \'wasm-unsafe-eval\'). Download the recording instead.');
      }
    };
    window.addEventListener('unhandledrejection', onRejection);
    inject(DestroyRef).onDestroy(() => {
      window.removeEventListener('unhandledrejection', onRejection);
      this.sub?.unsubscribe();
      this.player?.dispose();
    });
  }

  protected toggle(): void {
    if (!this.player) return;
    void (this.playing() ? this.player.pause() : this.player.play());
  }

  protected restart(): void {
    if (!this.player) return;
    void this.player.seek(0).then(() => this.player?.play());
  }

  /** The player takes its speed when created: recreate it at the same position. */
  protected setSpeed(speed: number): void {
    this.speed.set(speed);
    if (!this.player) return;
    const at = this.player.getCurrentTime();
    const wasPlaying = this.playing();
    this.player.dispose();
    this.player = null;
    this.create(at, wasPlaying);
  }

  private load(id: string): void {
    this.sub?.unsubscribe();
    this.player?.dispose();
    this.player = null;
    this.state.set('loading');
    this.sub = this.api.recording(id).subscribe({
      next: (cast) => {
        this.cast = cast;
        try {
          this.create(0, true);
        } catch {
          this.showError('This recording could not be played. Download it to inspect it.');
        }
      },
      error: (err: unknown) => this.showError(describeHttpError(err).message),
    });
  }

  private create(startAt: number, autoPlay: boolean): void {
    const player = this.createPlayer(this.cast, this.host().nativeElement, { speed: this.speed(), startAt, autoPlay });
    player.addEventListener('play', () => this.playing.set(true));
    player.addEventListener('playing', () => this.playing.set(true));
    player.addEventListener('pause', () => this.playing.set(false));
    player.addEventListener('ended', () => this.playing.set(false));
    this.player = player;
    this.playing.set(autoPlay);
    this.state.set('ready');
  }

  private showError(message: string): void {
    this.state.set('error');
    this.error.set(message);
  }
}
