import { applyDecorators, createParamDecorator, ExecutionContext, Header, SetMetadata } from '@nestjs/common';
import type { Request } from 'express';
import type { ChatChannel, TokenScope, UserRole } from '@chatops/protocol';

export const IS_PUBLIC = 'chatops:isPublic';
/** Marks a route as reachable without an access token (every other route requires one). */
export const Public = () => SetMetadata(IS_PUBLIC, true);

/**
 * For responses that carry a secret (tokens, API keys): no browser, proxy or CDN may store them
 * (`Pragma` for HTTP/1.0 caches).
 */
export const SESSION_ONLY = 'chatops:sessionOnly';
/**
 * Marks a route that a personal API token may not call (403 `token.session_required`): creating or
 * revoking tokens, changing the password or the profile need a signed-in session.
 */
export const SessionOnly = () => SetMetadata(SESSION_ONLY, true);

export const PASSWORD_CHANGE_ALLOWED = 'chatops:passwordChangeAllowed';
/**
 * Marks a route a user with a temporary password (set by an admin) may still call: every other
 * authenticated route answers 403 `auth.password_change_required` until they change it.
 */
export const PasswordChangeAllowed = () => SetMetadata(PASSWORD_CHANGE_ALLOWED, true);

export const NoStore = () => applyDecorators(Header('Cache-Control', 'no-store'), Header('Pragma', 'no-cache'));

/**
 * The signed-in user, as the JWT strategy (or a personal API token) attached it to the request.
 * `token` is set only when a personal API token authenticated the request: its scopes narrow what
 * the user's capabilities allow.
 */
export interface AuthUser {
  id: string; username: string; role: UserRole; token?: AuthToken;
  /** Signed in with a temporary password an admin set (see PasswordChangeAllowed). */
  mustChangePassword?: boolean;
}
/**
 * The personal API token behind a request. `teamScope` (null: not limited to teams): the teams whose
 * servers it may reach (while the user is a member) and whether it reaches the user's personal servers.
 */
export interface AuthToken { id: string; scopes: TokenScope[]; teamScope?: { teamIds: string[]; personal: boolean } | null }
export const CurrentUser = createParamDecorator((_: unknown, ctx: ExecutionContext): AuthUser => {
  return ctx.switchToHttp().getRequest<Request & { user: AuthUser }>().user;
});

/**
 * Who made a request, for the audit log. `channel`: the request came through a chat door (ChatOps);
 * the services pass `meta` to the audit log as it is, so their entries say so.
 */
export interface RequestMeta { ip: string | null; userAgent: string | null; channel?: ChatChannel }
export const ReqMeta = createParamDecorator((_: unknown, ctx: ExecutionContext): RequestMeta => {
  const req = ctx.switchToHttp().getRequest<Request>();
  const ua = req.headers['user-agent'];
  return { ip: req.ip ?? null, userAgent: typeof ua === 'string' ? ua.slice(0, 512) : null };
});

export const isAdmin = (u: AuthUser) => u.role === 'admin';
