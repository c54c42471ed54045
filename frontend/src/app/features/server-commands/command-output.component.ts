import { Clipboard } from '@angular/cdk/clipboard';
import { ChangeDetectionStrategy, Component, ElementRef, computed, inject, input, signal, viewChild } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { IconComponent } from '../../shared/ui/icon.component';
import { AnsiHtmlDirective } from './ansi-html.directive';
import { formatDuration } from './format-duration';
import type { CommandView } from './command-run';
import { CommandStatusComponent } from './command-status-badge.component';

/**
 * One command's result: the command line, its state and badges (truncated, timeout...), the
 * output (stderr marked and styled apart, ANSI colours rendered by ansi_up), exit code, duration
 * and a copy button.
 */
@Component({
  selector: 'app-command-output',
  imports: [MatButtonModule, MatProgressBarModule, IconComponent, CommandStatusComponent, AnsiHtmlDirective],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @let v = view();
    <div class="head">
      @if (showCommand()) { <code class="cmd" data-testid="run-command"><span aria-hidden="true">$ </span>{{ v.command }}</code> }
      <span class="badges">
        <app-command-status [state]="v.state" />
        @if (v.truncated) { <span class="flag" data-testid="badge-truncated" title="Output was cut at 1 MiB per stream">truncated</span> }
        @if (v.timedOut && v.state !== 'timeout') { <span class="flag" data-testid="badge-timeout">timeout</span> }
      </span>
      <span class="meta">
        @if (v.exitCode !== null) { <span data-testid="exit-code">exit {{ v.exitCode }}</span> }
        @if (v.durationMs !== null) { <span data-testid="duration">{{ duration() }}</span> }
      </span>
      <button mat-button type="button" class="copy" (click)="copy()" [disabled]="!v.chunks.length" [attr.aria-label]="'Copy the output of ' + v.command">
        <app-icon name="copy" [size]="16" /> {{ copied() ? 'Copied' : 'Copy' }}
      </button>
    </div>
    @if (v.state === 'running' || v.state === 'starting') { <mat-progress-bar mode="indeterminate" [attr.aria-label]="'Running ' + v.command" /> }
    @if (v.error) { <p class="error-text" role="alert" data-testid="run-error">{{ v.error }}</p> }
    @if (v.chunks.length) {
      <pre class="out ansi" #out tabindex="0" [attr.aria-label]="'Output of ' + v.command" data-testid="output">@for (c of v.chunks; track c.id) {<span [class]="c.stream" [appAnsiHtml]="c.html"></span>}</pre>
    } @else if (!v.error && v.state !== 'running' && v.state !== 'starting') {
      <p class="muted empty" data-testid="no-output">No output.</p>
    }
    <span class="visually-hidden" aria-live="polite">{{ copied() ? 'Output copied to the clipboard' : '' }}</span>
  `,
  styleUrl: './command-output.component.scss',
})
export class CommandOutputComponent {
  private readonly clipboard = inject(Clipboard);
  readonly view = input.required<CommandView>();
  readonly showCommand = input(true);
  private readonly out = viewChild<ElementRef<HTMLElement>>('out');
  protected readonly copied = signal(false);
  protected readonly duration = computed(() => formatDuration(this.view().durationMs));

  /** Copies the text as shown (colours dropped): the rendered element's text. */
  protected copy(): void {
    const text = this.out()?.nativeElement.textContent ?? '';
    this.copied.set(this.clipboard.copy(text));
    setTimeout(() => this.copied.set(false), 2500);
  }
}
