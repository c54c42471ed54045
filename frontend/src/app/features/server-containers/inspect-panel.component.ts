import { ChangeDetectionStrategy, Component, computed, effect, inject, input, signal, untracked } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import type { ContainerInspect } from '@chatops/protocol';
import { Subscription } from 'rxjs';
import { DockerApi } from '../../core/api/docker-api.service';
import { describeHttpError } from '../../core/api/error-message';
import { IconComponent } from '../../shared/ui/icon.component';
import { splitMatches } from './log-buffer';

/**
 * A container's inspect as indented JSON, searchable (only the matching lines are shown, matches
 * marked). The environment arrives redacted by the agent (`KEY=***`) unless it runs with
 * `--docker-show-env`; the panel says which.
 */
@Component({
  selector: 'app-inspect-panel',
  imports: [MatButtonModule, MatFormFieldModule, MatInputModule, MatProgressBarModule, IconComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="controls">
      <mat-form-field subscriptSizing="dynamic" class="search">
        <mat-label>Search the inspect</mat-label>
        <input matInput data-testid="inspect-search" autocomplete="off" [value]="query()" (input)="query.set($any($event.target).value)" />
      </mat-form-field>
      <button mat-button type="button" (click)="load()"><app-icon name="replay" [size]="16" /> Reload</button>
    </div>
    @if (loading()) { <mat-progress-bar mode="indeterminate" aria-label="Loading the inspect" /> }
    @if (error()) { <p class="error-text" role="alert" data-testid="inspect-error">{{ error() }}</p> }
    @if (data(); as d) {
      <p class="note muted" data-testid="env-note">
        @if (d.envRedacted) { Environment values are redacted by the agent (shown as <code>KEY=***</code>); it sends them only when started with <code>--docker-show-env</code>. }
        @else { The agent sends environment values as they are (it runs with <code>--docker-show-env</code>). }
      </p>
      @if (d.truncated) {
        <p class="note" role="status" data-testid="inspect-truncated"><app-icon name="warning" [size]="16" /> Too large for one answer: some of the command, networks, ports, mounts, environment or labels were left out (see <code>docker inspect</code> on the host for all of it).</p>
      }
      @if (query().trim()) { <p class="muted count" data-testid="inspect-count">{{ shown().length }} of {{ lines().length }} lines match</p> }
      <pre class="code json" data-testid="inspect-json" tabindex="0" aria-label="Inspect JSON">@for (l of shown(); track l.n) {<div><span class="n">{{ l.n }}</span>@for (p of l.parts; track p) {@if (p.match) {<mark>{{ p.text }}</mark>} @else {<span>{{ p.text }}</span>}}</div>}</pre>
    }
  `,
  styles: `
    .controls { display: flex; align-items: center; gap: 8px; margin-bottom: 8px; }
    .search { flex: 1; }
    .note, .count { font: var(--mat-sys-body-small); margin: 4px 0 8px; }
    .json { max-height: 60vh; overflow: auto; font: 12.5px/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
    .n { display: inline-block; width: 3.5em; color: var(--mat-sys-on-surface-variant); user-select: none; }
    mark { background: #e5c07b; color: #111; border-radius: 2px; }
  `,
})
export class InspectPanelComponent {
  private readonly api = inject(DockerApi);
  readonly serverId = input.required<string>();
  readonly containerId = input.required<string>();
  readonly query = signal('');
  protected readonly loading = signal(false);
  protected readonly error = signal('');
  readonly data = signal<ContainerInspect | null>(null);
  protected readonly lines = computed(() => (this.data() ? JSON.stringify(this.data(), null, 2).split('\n') : []));
  readonly shown = computed(() => {
    const q = this.query().trim().toLowerCase();
    return this.lines()
      .map((text, i) => ({ n: i + 1, text }))
      .filter((l) => !q || l.text.toLowerCase().includes(q))
      .map((l) => ({ n: l.n, parts: splitMatches(l.text, q) }));
  });
  private sub: Subscription | null = null;

  constructor() {
    effect(() => {
      this.serverId(); this.containerId();
      untracked(() => this.load());
    });
  }

  load(): void {
    this.sub?.unsubscribe();
    this.loading.set(true);
    this.error.set('');
    this.sub = this.api.inspect(this.serverId(), this.containerId()).subscribe({
      next: (d) => {
        this.loading.set(false);
        this.data.set(d);
      },
      error: (err: unknown) => {
        this.loading.set(false);
        const info = describeHttpError(err);
        this.error.set(info.requestId ? `${info.message} (request ${info.requestId})` : info.message);
      },
    });
  }
}
