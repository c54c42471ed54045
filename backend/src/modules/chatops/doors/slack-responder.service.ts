import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../../config/config';
import { postJson } from '../../notifications/senders';
import type { SlackMessage } from './slack-blocks';

/**
 * Late answers through Slack's `response_url`: only to URLs under SLACK_RESPONSE_URL_PREFIX
 * (https://hooks.slack.com/ by default, so a forged payload cannot make the server POST
 * elsewhere), through the notifications' guarded sender (no private addresses unless
 * NOTIFY_ALLOW_PRIVATE, no redirects, a timeout). Failures are logged, never thrown.
 */
@Injectable()
export class SlackResponder implements OnApplicationShutdown {
  private readonly logger = new Logger(SlackResponder.name);
  private readonly pending = new Set<Promise<void>>();

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  allowed(url: unknown): url is string {
    return typeof url === 'string' && url.length <= 2048 && url.startsWith(this.config.chat.slackResponseUrlPrefix);
  }

  /** Posts the message once `work` is done (or an error card if it failed). */
  later(url: string, work: Promise<SlackMessage>, fallbackTitle: string): void {
    const job = work
      .catch((err: unknown) => {
        this.logger.error({ err: (err as Error).message }, 'Chat command failed after the acknowledgement');
        return { response_type: 'ephemeral', text: `${fallbackTitle}: failed`, blocks: [] } satisfies SlackMessage;
      })
      .then(async (message) => {
        const r = await postJson(url, JSON.stringify(message), {}, { allowPrivate: this.config.notify.allowPrivate, timeoutSec: this.config.notify.timeoutSec });
        if (r.error) this.logger.warn({ status: r.statusCode, err: r.error }, 'Slack response_url refused the answer');
      })
      .catch((err: unknown) => this.logger.warn({ err: (err as Error).message }, 'Could not post to Slack response_url'))
      .finally(() => this.pending.delete(job));
    this.pending.add(job);
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.race([Promise.allSettled([...this.pending]), new Promise((r) => setTimeout(r, 5000).unref())]);
  }
}
