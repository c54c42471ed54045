import { DatePipe } from '@angular/common';
import { HttpErrorResponse } from '@angular/common/http';
import { ChangeDetectionStrategy, Component, computed, effect, inject, input, signal, untracked } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatCardModule } from '@angular/material/card';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import type { CommandPolicy } from '@chatops/protocol';
import { PatternError, compilePattern } from '@chatops/protocol/command-patterns';
import { CommandsApi } from '../../core/api/commands-api.service';
import { describeHttpError } from '../../core/api/error-message';
import { NotifyService } from '../../core/notify/notify.service';
import { PolicyList, PolicyLineError, policyLines, serverPolicyErrors } from './policy-lines';

/**
 * Server settings: the server's command policy (allow and deny patterns, one per line), checked
 * by the backend before a command reaches the agent. Each bad line is named under its list, as
 * the browser finds it (the same pattern compiler as the server) and as the server reports it.
 * Shown to whoever can see the server (its owner, or an admin); hidden when the API refuses.
 */
@Component({
  selector: 'app-command-policy-card',
  imports: [DatePipe, MatCardModule, MatFormFieldModule, MatInputModule, MatButtonModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './command-policy-card.component.html',
  styles: `
    .lists { display: grid; gap: 8px; }
    textarea { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 13px; }
    .errors { margin: 0 0 8px; padding-left: 18px; font: var(--mat-sys-body-small); }
    .syntax { font: var(--mat-sys-body-small); margin: 0 0 12px; padding-left: 18px; }
    code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
    .actions { display: flex; flex-wrap: wrap; align-items: center; gap: 12px; }
  `,
})
export class CommandPolicyCardComponent {
  private readonly api = inject(CommandsApi);
  private readonly notify = inject(NotifyService);
  readonly serverId = input.required<string>();

  protected readonly state = signal<'loading' | 'ready' | 'hidden' | 'error'>('loading');
  protected readonly loadError = signal('');
  protected readonly policy = signal<CommandPolicy | null>(null);
  protected readonly text: Record<PolicyList, ReturnType<typeof signal<string>>> = { allow: signal(''), deny: signal('') };
  protected readonly lists: { key: PolicyList; label: string; hint: string }[] = [
    { key: 'allow', label: 'Allow (one pattern per line)', hint: 'Empty: any command the agent allows' },
    { key: 'deny', label: 'Deny (one pattern per line)', hint: 'e.g. rm -rf *, shutdown *' },
  ];
  protected readonly saving = signal(false);
  protected readonly saveError = signal('');
  /** Errors the server reported for the text as it was sent (cleared by the next edit of that list). */
  protected readonly serverErrors = signal<PolicyLineError[]>([]);
  protected readonly dirty = computed(() => {
    const p = this.policy();
    return !!p && (this.text.allow() !== p.allow.join('\n') || this.text.deny() !== p.deny.join('\n'));
  });
  protected readonly errors = computed(() => ({
    allow: [...check('allow', this.text.allow()), ...this.serverErrors().filter((e) => e.list === 'allow')],
    deny: [...check('deny', this.text.deny()), ...this.serverErrors().filter((e) => e.list === 'deny')],
  }));
  protected readonly invalid = computed(() => this.errors().allow.length + this.errors().deny.length > 0);

  constructor() {
    effect(() => {
      const id = this.serverId();
      untracked(() => this.load(id));
    });
  }

  protected edit(list: PolicyList, value: string): void {
    this.text[list].set(value);
    this.serverErrors.update((errs) => errs.filter((e) => e.list !== list));
    this.saveError.set('');
  }

  protected reset(): void {
    const p = this.policy();
    if (p) this.show(p);
  }

  protected save(): void {
    if (this.invalid() || this.saving()) return;
    const allow = policyLines(this.text.allow());
    const deny = policyLines(this.text.deny());
    this.saving.set(true);
    this.saveError.set('');
    this.api.updatePolicy(this.serverId(), { allow: allow.map((l) => l.pattern), deny: deny.map((l) => l.pattern) }).subscribe({
      next: (p) => {
        this.saving.set(false);
        this.show(p);
        void this.notify.success('Command policy saved');
      },
      error: (err: unknown) => {
        this.saving.set(false);
        const info = describeHttpError(err);
        const details = err instanceof HttpErrorResponse && info.status === 400 ? serverPolicyErrors(err.error, { allow, deny }) : [];
        this.serverErrors.set(details);
        if (!details.length) this.saveError.set(info.requestId ? `${info.message} (request ${info.requestId})` : info.message);
      },
    });
  }

  private load(serverId: string): void {
    this.state.set('loading');
    this.api.policy(serverId, true).subscribe({
      next: (p) => {
        this.show(p);
        this.state.set('ready');
      },
      error: (err: unknown) => {
        const info = describeHttpError(err);
        if (info.status === 403 || info.status === 404) return this.state.set('hidden'); // not for this user
        this.loadError.set(info.requestId ? `${info.message} (request ${info.requestId})` : info.message);
        this.state.set('error');
      },
    });
  }

  private show(p: CommandPolicy): void {
    this.policy.set(p);
    this.text.allow.set(p.allow.join('\n'));
    this.text.deny.set(p.deny.join('\n'));
    this.serverErrors.set([]);
  }
}

/** The browser's own check of one list: the same compiler the server and the agent use. */
function check(list: PolicyList, text: string): PolicyLineError[] {
  const out: PolicyLineError[] = [];
  for (const { line, pattern } of policyLines(text)) {
    try {
      compilePattern(pattern, line);
    } catch (err) {
      out.push({ list, line, message: err instanceof PatternError ? err.message.replace(/^line \d+: /, '') : String(err) });
    }
  }
  return out;
}
