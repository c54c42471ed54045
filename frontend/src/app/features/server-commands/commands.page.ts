import { HttpErrorResponse } from '@angular/common/http';
import { ChangeDetectionStrategy, Component, ElementRef, computed, inject, signal, viewChild } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { MatButtonModule } from '@angular/material/button';
import { MatDialog } from '@angular/material/dialog';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { dangerousReason } from '@chatops/protocol/command-patterns';
import type { CommandRecord } from '@chatops/protocol';
import { filter, interval } from 'rxjs';
import { CommandsApi } from '../../core/api/commands-api.service';
import { describeHttpError } from '../../core/api/error-message';
import { AuthService } from '../../core/auth/auth.service';
import { LiveSocketService } from '../../core/live/live-socket.service';
import { CapabilityOffComponent } from '../../shared/ui/capability-off.component';
import { openConfirm } from '../../shared/ui/confirm-dialog.component';
import { IconComponent } from '../../shared/ui/icon.component';
import { ServerContext } from '../server-detail/server-context';
import { CommandHistoryComponent } from './command-history.component';
import { CommandLiveRouter } from './command-live-router';
import { CommandOutputComponent } from './command-output.component';
import { CommandRecall } from './command-recall';
import { CommandRun } from './command-run';

/** Limits of the command box (docs/api.md "Commands"; the server checks them too). */
export const MAX_COMMAND_LENGTH = 8192;
export const MAX_TIMEOUT_SEC = 600;
export const DEFAULT_TIMEOUT_SEC = 30;
/** Runs of this visit kept on screen (older ones are in the history below). */
export const MAX_RUNS_SHOWN = 10;
/** A running command is looked up over REST this often, in case `/live` missed its end. */
export const RUN_POLL_MS = 15_000;

/**
 * `/servers/:id/commands`: a command box with ↑/↓ recall, the output of each run as it streams in
 * over `/live`, and the server's history below. Dangerous-looking commands are confirmed first.
 */
@Component({
  selector: 'app-commands-page',
  imports: [MatButtonModule, MatFormFieldModule, MatInputModule, IconComponent, CapabilityOffComponent, CommandOutputComponent, CommandHistoryComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './commands.page.html',
  styleUrl: './commands.page.scss',
})
export class CommandsPage {
  protected readonly ctx = inject(ServerContext);
  private readonly api = inject(CommandsApi);
  private readonly live = inject(LiveSocketService);
  private readonly dialog = inject(MatDialog);
  private readonly auth = inject(AuthService);
  protected readonly userId = computed(() => this.auth.user()?.id ?? null);

  protected readonly maxLength = MAX_COMMAND_LENGTH;
  protected readonly maxTimeout = MAX_TIMEOUT_SEC;
  protected readonly defaultTimeout = DEFAULT_TIMEOUT_SEC;
  protected readonly draft = signal('');
  protected readonly timeout = signal('');
  protected readonly runs = signal<CommandRun[]>([]);
  /** Read by screen readers (aria-live): a command started, finished, or was refused. */
  protected readonly announcement = signal('');
  protected readonly execEnabled = computed(() => this.ctx.server()?.agent?.capabilities.exec === true);
  protected readonly timeoutError = computed(() => {
    const t = this.timeout().trim();
    if (!t) return '';
    const n = Number(t);
    return Number.isInteger(n) && n >= 1 && n <= MAX_TIMEOUT_SEC ? '' : `Whole seconds from 1 to ${MAX_TIMEOUT_SEC}`;
  });

  private readonly input = viewChild<ElementRef<HTMLInputElement>>('commandInput');
  private readonly recall = new CommandRecall();
  private readonly liveRouter = new CommandLiveRouter();
  private nextLocalId = 1;

  constructor() {
    const serverId = () => this.ctx.id();
    this.live
      .on('command_output')
      .pipe(filter((e) => e.serverId === serverId()), takeUntilDestroyed())
      .subscribe((e) => this.liveRouter.output(e.commandId, e.stream, e.data));
    this.live
      .on('command_finished')
      .pipe(filter((e) => e.serverId === serverId()), takeUntilDestroyed())
      .subscribe((e) => {
        this.liveRouter.finished(e.command);
        this.announceIfMine(e.command);
      });
    interval(RUN_POLL_MS).pipe(takeUntilDestroyed()).subscribe(() => this.pollRunning());
  }

  protected typed(value: string): void {
    this.draft.set(value);
    this.recall.reset();
  }

  /** ↑/↓ walk through earlier commands (this user's on this server, then this visit's). */
  protected keydown(event: KeyboardEvent): void {
    if (event.key !== 'ArrowUp' && event.key !== 'ArrowDown') return;
    const next = event.key === 'ArrowUp' ? this.recall.up(this.draft()) : this.recall.down();
    event.preventDefault();
    if (next === null) return;
    this.draft.set(next);
    const el = this.input()?.nativeElement;
    if (el) {
      el.value = next;
      el.setSelectionRange(next.length, next.length);
    }
  }

  protected submit(event?: Event): void {
    event?.preventDefault();
    const command = this.draft().trim();
    if (!command || this.timeoutError()) return;
    this.run(command, this.timeout().trim() ? Number(this.timeout()) : null);
  }

  /** From the history's Re-run button: same checks, default timeout. */
  protected rerun(command: string): void {
    this.run(command, null);
  }

  protected seedRecall(records: CommandRecord[]): void {
    const me = this.userId();
    this.recall.seed(records.filter((r) => !me || r.userId === me).map((r) => r.command));
  }

  private run(command: string, timeoutSec: number | null): void {
    const reason = dangerousReason(command);
    if (!reason) return this.start(command, timeoutSec);
    openConfirm(this.dialog, {
      title: 'Run this command?',
      message: `“${command}” looks dangerous: it ${reason}. It runs on ${this.ctx.server()?.name ?? 'the server'} with the agent's permissions.`,
      confirmText: 'Run it',
    }).subscribe((ok) => {
      if (ok) this.start(command, timeoutSec);
    });
  }

  private start(command: string, timeoutSec: number | null): void {
    const run = new CommandRun(this.nextLocalId++, command, timeoutSec);
    this.runs.update((runs) => [run, ...runs].slice(0, MAX_RUNS_SHOWN));
    this.recall.push(command);
    this.draft.set('');
    const el = this.input()?.nativeElement;
    if (el) el.value = '';
    this.announcement.set(`Running ${command}`);
    this.api.run(this.ctx.id(), { command, ...(timeoutSec ? { timeoutSec } : {}) }).subscribe({
      next: (accepted) => {
        this.liveRouter.attach(run, accepted.commandId);
        if (!run.finished) return;
        this.announce(run);
        if (run.incomplete()) this.fetchFull(run, accepted.commandId);
      },
      error: (err: unknown) => this.refused(run, err),
    });
  }

  private refused(run: CommandRun, err: unknown): void {
    const info = describeHttpError(err);
    const code = err instanceof HttpErrorResponse && typeof err.error === 'object' && err.error ? (err.error as { code?: unknown }).code : undefined;
    const message = info.requestId ? `${info.message} (request ${info.requestId})` : info.message;
    if (info.status === 403) {
      run.refuse('refused', code === 'command.exec_disabled' ? `${message} The agent must be started with --enable-exec.` : message);
      if (code === 'command.exec_disabled') this.ctx.reload(); // the agent's capabilities changed: show how to turn exec on
    } else if (info.status === 503) {
      run.refuse('unreachable', message);
    } else {
      run.refuse('rejected', message);
    }
    this.announcement.set(`${run.command} was not run: ${message}`);
  }

  private announceIfMine(record: CommandRecord): void {
    const run = this.runs().find((r) => r.commandId() === record.commandId);
    if (!run) return;
    this.announce(run);
    if (run.incomplete()) this.fetchFull(run, record.commandId);
  }

  /** The live record carried a preview of output this page missed: read the whole item. */
  private fetchFull(run: CommandRun, commandId: string): void {
    this.api.item(commandId, true).subscribe({ next: (full) => run.finish(full), error: () => undefined });
  }

  private announce(run: CommandRun): void {
    const r = run.record();
    const exit = r?.exitCode != null ? `, exit code ${r.exitCode}` : '';
    this.announcement.set(`${run.command} finished: ${run.state()}${exit}`);
  }

  /** A command whose end `/live` did not deliver (socket dropped) is read over REST. */
  private pollRunning(): void {
    for (const run of this.runs()) {
      const id = run.commandId();
      if (!id || run.finished) continue;
      this.api.item(id, true).subscribe({
        next: (record) => {
          if (record.status === 'running' || run.finished) return;
          this.liveRouter.detach(id);
          run.finish(record);
          this.announce(run);
        },
        error: () => undefined, // the next poll tries again
      });
    }
  }
}
