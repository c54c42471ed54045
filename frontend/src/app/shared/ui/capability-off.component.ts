import { DOCUMENT } from '@angular/common';
import { ChangeDetectionStrategy, Component, computed, inject, input } from '@angular/core';
import { RouterLink } from '@angular/router';
import { CopyBlockComponent } from './copy-block.component';
import { IconComponent } from './icon.component';

export type AgentCapability = 'exec' | 'terminal';

/** The agent options and environment variables that switch a capability on (agent/src/config.ts). */
export const CAPABILITY_SWITCH: Record<AgentCapability, { flags: string[]; env: string[]; off: string; note: string }> = {
  exec: {
    flags: ['--enable-exec'],
    env: ['CHATOPS_ENABLE_EXEC'],
    off: "Remote commands are turned off on this server's agent",
    note: '--exec-allow <file> limits them to the patterns in that file.',
  },
  terminal: {
    flags: ['--enable-exec', '--enable-terminal'],
    env: ['CHATOPS_ENABLE_EXEC', 'CHATOPS_ENABLE_TERMINAL'],
    off: "The web terminal is turned off on this server's agent",
    note: 'The terminal needs remote commands on too, and cannot be combined with --exec-allow.',
  },
};

/**
 * Shown instead of a tab's tool when the agent does not allow it (or no agent connected yet): what
 * is off, and the exact options to restart the agent with, ready to copy.
 */
@Component({
  selector: 'app-capability-off',
  imports: [RouterLink, IconComponent, CopyBlockComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <section class="off" role="status" data-testid="capability-off" [attr.aria-labelledby]="'cap-off-' + capability()">
      <h2 [id]="'cap-off-' + capability()"><app-icon name="warning" [size]="20" />
        {{ hasAgent() ? sw().off : 'No agent has connected to this server yet' }}
      </h2>
      <p>
        @if (!hasAgent()) {
          <a [routerLink]="['/servers', serverId(), 'settings']">Create an API key</a> and start the agent with
        } @else {
          The agent allows this only when it is started with
        }
        <code>{{ flags() }}</code> (or <code>{{ envInline() }}</code> in its environment). {{ sw().note }}
        Anyone who can open this server can then use it; every use is recorded.
      </p>
      <app-copy-block title="Run the agent from a ChatOps checkout" [text]="repoLine()" data-testid="capability-flag" />
      <app-copy-block title="docker-compose sidecar (environment)" [text]="envLines()" />
      <app-copy-block title="systemd unit ([Service] section)" [text]="systemdLines()" />
    </section>
  `,
  styles: `
    .off { padding: 16px; border-radius: 12px; background: var(--mat-sys-surface-container); }
    h2 { display: flex; align-items: center; gap: 8px; font: var(--mat-sys-title-medium); margin: 0 0 8px; }
    code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
  `,
})
export class CapabilityOffComponent {
  private readonly origin = inject(DOCUMENT).location?.origin ?? '';
  readonly capability = input.required<AgentCapability>();
  readonly serverId = input.required<string>();
  /** false: no agent has ever connected (the server has no agent info). */
  readonly hasAgent = input(true);
  protected readonly sw = computed(() => CAPABILITY_SWITCH[this.capability()]);
  protected readonly flags = computed(() => this.sw().flags.join(' '));
  protected readonly envInline = computed(() => this.sw().env.map((e) => `${e}=true`).join(' '));
  protected readonly repoLine = computed(() => `npm run agent -- --url ${this.origin} --api-key <your key> ${this.flags()}`);
  protected readonly envLines = computed(() => this.sw().env.map((e) => `${e}: "true"`).join('\n'));
  protected readonly systemdLines = computed(() => this.sw().env.map((e) => `Environment=${e}=true`).join('\n'));
}
