import { ChangeDetectionStrategy, Component, DestroyRef, InjectionToken, computed, inject, signal, viewChild } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { NonNullableFormBuilder, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatProgressSpinnerModule } from '@angular/material/progress-spinner';
import { MatStepper, MatStepperModule } from '@angular/material/stepper';
import { MatTabsModule } from '@angular/material/tabs';
import { RouterLink } from '@angular/router';
import type { CreatedApiKey, Server } from '@chatops/protocol';
import { Subscription, catchError, filter, interval, of, startWith, switchMap } from 'rxjs';
import { ApiKeysApi } from '../../core/api/api-keys-api.service';
import { ApiErrorInfo, describeHttpError } from '../../core/api/error-message';
import { ServersApi } from '../../core/api/servers-api.service';
import { LiveSocketService } from '../../core/live/live-socket.service';
import { IconComponent } from '../../shared/ui/icon.component';
import { agentCommands } from './agent-commands';
import { CopyBlockComponent } from '../../shared/ui/copy-block.component';
import { FormErrorComponent } from '../../shared/ui/form-error.component';

/** How often the wizard polls GET /servers/{id} while waiting for the agent (a token: tests shorten it). */
export const AGENT_POLL_MS = new InjectionToken<number>('AGENT_POLL_MS', { providedIn: 'root', factory: () => 5_000 });
/** After this long without the agent, the wizard shows what to check (a token: tests shorten it). */
export const AGENT_HELP_AFTER_MS = new InjectionToken<number>('AGENT_HELP_AFTER_MS', { providedIn: 'root', factory: () => 60_000 });

/** An http(s) URL without path, query or credentials: what the agent's `--url` takes. */
export function agentUrlError(value: string): string | null {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    return 'Enter a URL such as https://chatops.example.com';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'The URL must start with http:// or https://';
  if (url.username || url.password || url.search || url.hash) return 'Only the scheme, host and port (and a path behind a proxy)';
  return null;
}

/** A host an agent on another machine cannot reach. */
export function isLoopback(value: string): boolean {
  try {
    return /^(localhost|127(\.\d+){3}|\[::1\])$/i.test(new URL(value).hostname);
  } catch {
    return false;
  }
}

@Component({
  selector: 'app-add-server-page',
  imports: [ReactiveFormsModule, RouterLink, MatStepperModule, MatFormFieldModule, MatInputModule, MatButtonModule, MatProgressSpinnerModule, MatTabsModule, IconComponent, CopyBlockComponent, FormErrorComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './add-server.page.html',
  styleUrl: './add-server.page.scss',
})
export class AddServerPage {
  private readonly serversApi = inject(ServersApi);
  private readonly keysApi = inject(ApiKeysApi);
  private readonly live = inject(LiveSocketService);
  private readonly destroyRef = inject(DestroyRef);
  private readonly stepper = viewChild.required(MatStepper);
  private readonly pollMs = inject(AGENT_POLL_MS);

  protected readonly form = inject(NonNullableFormBuilder).group({
    name: ['', [Validators.required, Validators.maxLength(255)]],
    host: ['', Validators.maxLength(255)],
  });
  protected readonly busy = signal(false);
  protected readonly server = signal<Server | null>(null);
  protected readonly apiKey = signal<CreatedApiKey | null>(null);
  protected readonly keyError = signal(false);
  /** Why the last "Create" failed, shown in the form (no toast). */
  protected readonly submitError = signal<ApiErrorInfo | null>(null);
  protected readonly agentOnline = signal(false);
  /**
   * The URL the agent connects to: this page's origin by default, editable, since the browser's
   * origin is not always what the target host can reach (a proxy, `localhost`, another network).
   */
  protected readonly agentUrl = signal(location.origin);
  protected readonly agentUrlError = computed(() => agentUrlError(this.agentUrl()));
  protected readonly agentUrlLoopback = computed(() => isLoopback(this.agentUrl()));
  protected readonly commands = computed(() => {
    const key = this.apiKey();
    return key && !this.agentUrlError() ? agentCommands(this.agentUrl().trim().replace(/\/+$/, ''), key.key) : null;
  });
  /** No agent after AGENT_HELP_AFTER_MS: show what to check. */
  protected readonly showHelp = signal(false);
  private readonly helpAfterMs = inject(AGENT_HELP_AFTER_MS);
  private waiting: Subscription | null = null;

  protected createServer(): void {
    if (this.server()) return this.createKey(); // server exists already: only the key is missing
    if (this.form.invalid) return this.form.markAllAsTouched();
    const { name, host } = this.form.getRawValue();
    this.busy.set(true);
    this.submitError.set(null);
    this.serversApi.create({ name: name.trim(), ...(host.trim() ? { host: host.trim() } : {}) }).subscribe({
      next: (server) => {
        this.server.set(server);
        this.createKey();
      },
      error: (err: unknown) => {
        this.submitError.set(describeHttpError(err));
        this.busy.set(false);
      },
    });
  }

  private createKey(): void {
    const server = this.server()!;
    this.busy.set(true);
    this.keyError.set(false);
    this.submitError.set(null);
    this.keysApi.create({ serverId: server.id, name: 'default' }).subscribe({
      next: (key) => {
        this.apiKey.set(key);
        this.busy.set(false);
        this.form.disable();
        // Mark step 1 done now (the [completed] binding catches up on the next render) and move on.
        const stepper = this.stepper();
        stepper.steps.get(0)!.completed = true;
        stepper.next();
        this.waitForAgent(server.id);
      },
      error: (err: unknown) => {
        const info = describeHttpError(err);
        this.submitError.set({ ...info, message: `The server was created but its API key was not: ${info.message.replace(/\.$/, '')}. Try again.` });
        this.keyError.set(true);
        this.busy.set(false);
      },
    });
  }

  /** Turns green on the first `server_status online` on /live; polls REST every 5 s as a fallback. */
  private waitForAgent(serverId: string): void {
    this.waiting?.unsubscribe();
    const markOnline = () => {
      this.agentOnline.set(true);
      this.showHelp.set(false);
      this.waiting?.unsubscribe();
    };
    this.waiting = new Subscription();
    const help = setTimeout(() => this.showHelp.set(!this.agentOnline()), this.helpAfterMs);
    this.waiting.add(() => clearTimeout(help));
    this.waiting.add(this.live.subscribeServer(serverId).subscribe());
    this.waiting.add(
      this.live.on('server_status').pipe(filter((e) => e.serverId === serverId && e.status === 'online')).subscribe(markOnline),
    );
    this.waiting.add(
      interval(this.pollMs)
        .pipe(switchMap(() => this.serversApi.get(serverId, true).pipe(catchError(() => of(null)))))
        .subscribe((s) => {
          if (s?.status === 'online') {
            this.server.set(s);
            markOnline();
          }
        }),
    );
    this.destroyRef.onDestroy(() => this.waiting?.unsubscribe());
  }
}
