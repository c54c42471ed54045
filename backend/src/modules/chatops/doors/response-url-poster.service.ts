import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import type { ChatProvider } from '@chatops/protocol';
import { APP_CONFIG, type AppConfig } from '../../../config/config';
import { postJson } from '../../notifications/senders';

/**
 * Late answers through a chat platform's `response_url`: only to URLs under the configured prefix
 * (SLACK_RESPONSE_URL_PREFIX, https://hooks.slack.com/ by default; MATTERMOST_RESPONSE_URL_PREFIX,
 * unset by default, so Mattermost answers inline), so a request cannot make the server POST
 * elsewhere; through the notifications' guarded sender (no private addresses unless
 * NOTIFY_ALLOW_PRIVATE, no redirects, a timeout). Failures are logged, never thrown.
 */
@Injectable()
export class ResponseUrlPoster implements OnApplicationShutdown {
  private readonly logger = new Logger(ResponseUrlPoster.name);
  private readonly pending = new Set<Promise<void>>();

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  allowed(provider: ChatProvider, url: unknown): url is string {
    const prefix = provider === 'slack' ? this.config.chat.slackResponseUrlPrefix : this.config.chat.mattermostResponseUrlPrefix;
    return Boolean(prefix) && typeof url === 'string' && url.length <= 2048 && url.startsWith(prefix!);
  }

  /** Posts the message (or the messages, in order) once `work` is done, or `failed` if it threw. */
  later(url: string, work: Promise<object | object[]>, failed: object): void {
    const job = work
      .catch((err: unknown) => {
        this.logger.error({ err: (err as Error).message }, 'Chat command failed after the acknowledgement');
        return failed;
      })
      .then(async (answer) => {
        // One after the other: the platform shows them in the order they arrive.
        for (const message of Array.isArray(answer) ? answer : [answer]) {
          const r = await postJson(url, JSON.stringify(message), {}, { allowPrivate: this.config.notify.allowPrivate, timeoutSec: this.config.notify.timeoutSec });
          if (r.error) {
            this.logger.warn({ status: r.statusCode, err: r.error }, 'The response_url refused the answer');
            break;
          }
        }
      })
      .catch((err: unknown) => this.logger.warn({ err: (err as Error).message }, 'Could not post to the response_url'))
      .finally(() => this.pending.delete(job));
    this.pending.add(job);
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.race([Promise.allSettled([...this.pending]), new Promise((r) => setTimeout(r, 5000).unref())]);
  }
}
