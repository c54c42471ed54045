import { CanActivate, ExecutionContext, Injectable, RawBodyRequest } from '@nestjs/common';
import type { Request } from 'express';
import { ChatErrorCode, ChatException } from '../chatops.errors';
import { ChatIntegrations } from './chat-integrations.service';
import { checkSlackSignature, sameSecret } from './request-auth';
import { ReplayGuard } from './replay-guard.service';

const header = (req: Request, name: string) => {
  const v = req.headers[name];
  return typeof v === 'string' ? v : undefined;
};

/**
 * Slack requests: the signature over the raw body (kept by the form body middleware) with the
 * signing secret, the timestamp within five minutes, and each signed request accepted once.
 */
@Injectable()
export class SlackSignatureGuard implements CanActivate {
  constructor(
    private readonly integrations: ChatIntegrations,
    private readonly replay: ReplayGuard,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const req = ctx.switchToHttp().getRequest<RawBodyRequest<Request>>();
    const secret = await this.integrations.secret('slack');
    const timestamp = header(req, 'x-slack-request-timestamp');
    const signature = header(req, 'x-slack-signature');
    const check = checkSlackSignature(secret, timestamp, req.rawBody ?? Buffer.alloc(0), signature);
    if (check === 'stale') throw new ChatException(ChatErrorCode.RequestStale, 'The request timestamp is more than five minutes away');
    if (check === 'bad') throw new ChatException(ChatErrorCode.SignatureInvalid, 'The request signature is not valid');
    if (!(await this.replay.firstSeen(timestamp!, signature!))) throw new ChatException(ChatErrorCode.RequestReplayed, 'This request was already received');
    return true;
  }
}

/** Mattermost's outgoing slash command: the command's token in the form, compared in constant time. */
@Injectable()
export class MattermostTokenGuard implements CanActivate {
  constructor(private readonly integrations: ChatIntegrations) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const req = ctx.switchToHttp().getRequest<Request>();
    const expected = await this.integrations.secret('mattermost');
    const body = req.body as Record<string, unknown> | undefined;
    const given = typeof body?.token === 'string' ? body.token : (header(req, 'authorization') ?? '').replace(/^Token\s+/i, '');
    if (!given || !sameSecret(expected, given)) throw new ChatException(ChatErrorCode.TokenInvalid, 'The slash command token is not valid');
    return true;
  }
}
