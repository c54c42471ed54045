import { Inject, Injectable, Logger } from '@nestjs/common';
import type { CookieOptions, Request, Response } from 'express';
import type { AuthResponse, RefreshCookieHeader, RefreshCookieName } from '@chatops/protocol';
import { APP_CONFIG, AppConfig } from '../../config/config';
import type { AuthTokensResponse } from './dto/auth.response';
import { AuthErrorCode, AuthException } from './auth.errors';

export const REFRESH_COOKIE: RefreshCookieName = 'chatops_refresh';
export const REFRESH_HEADER: RefreshCookieHeader = 'X-ChatOps-Refresh';
/** Only the auth routes ever receive the cookie (the REST prefix is api/v1, see app.factory.ts). */
export const REFRESH_COOKIE_PATH = '/api/v1/auth';

const LOOPBACK_HOST = /^(localhost|.+\.localhost|127(\.\d{1,3}){3}|\[?::1\]?)$/i;

/** Cookie mode: the client (the dashboard) asked for the refresh token as a cookie. */
export const wantsRefreshCookie = (req: Request) => req.get(REFRESH_HEADER) === '1';

/** The value of one cookie from the Cookie header (the first one when a name repeats). */
export function readCookie(req: Request, name: string): string | null {
  const header = req.headers.cookie;
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim() || null;
  }
  return null;
}

/**
 * The browser side of refresh tokens. Browsers send `X-ChatOps-Refresh: 1`: login, register,
 * refresh and change-password then set the token as an `HttpOnly; SameSite=Strict` cookie scoped
 * to /api/v1/auth and leave it out of the body, so no script on the page can read it. Refresh and
 * logout accept the cookie only together with that header: a cross-site form or image cannot set
 * a custom header, and a cross-site script cannot send one without passing CORS (closed unless
 * CORS_ORIGINS says otherwise). API clients keep the body-based `{refreshToken}` flow unchanged.
 */
@Injectable()
export class RefreshCookie {
  private readonly logger = new Logger('Auth');
  private warnedInsecureTransport = false;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /**
   * The refresh token a refresh or logout request presents: the body's, else the cookie's (only
   * with the header: 403 for a cookie without it). Null when nothing was presented.
   */
  presented(req: Request, bodyToken: string | undefined): string | null {
    if (bodyToken) return bodyToken;
    const cookie = readCookie(req, REFRESH_COOKIE);
    if (cookie && !wantsRefreshCookie(req)) {
      throw new AuthException(AuthErrorCode.RefreshHeaderRequired, `The refresh cookie is accepted only with the header ${REFRESH_HEADER}: 1`);
    }
    return cookie;
  }

  /**
   * As `presented`, but something must be presented: a browser (header) without the cookie is a
   * 401; an API client without `refreshToken` a 400, as before cookies existed.
   */
  required(req: Request, bodyToken: string | undefined): string {
    const token = this.presented(req, bodyToken);
    if (token) return token;
    if (wantsRefreshCookie(req)) throw new AuthException(AuthErrorCode.MissingRefreshToken, 'No refresh cookie: sign in again');
    throw new AuthException(AuthErrorCode.RefreshTokenRequired, 'Validation failed: refreshToken: refreshToken is required', [
      { field: 'refreshToken', errors: [`refreshToken is required (browsers: the refresh cookie with ${REFRESH_HEADER}: 1)`] },
    ]);
  }

  /** The response body for a new session: in cookie mode the refresh token goes into the cookie instead. */
  deliver(req: Request, res: Response, session: AuthResponse): AuthTokensResponse {
    if (!wantsRefreshCookie(req)) return session;
    res.cookie(REFRESH_COOKIE, session.refreshToken, { ...this.attributes(req), maxAge: this.config.refreshTtlSec * 1000 });
    const { refreshToken: _inCookie, ...body } = session;
    return body;
  }

  /**
   * A browser session started by a redirect (single sign-on callback): the refresh token goes into
   * the cookie and the access token is dropped; the dashboard gets one with its usual cookie refresh.
   * No token ever travels in a URL.
   */
  startBrowserSession(req: Request, res: Response, session: AuthResponse): void {
    res.cookie(REFRESH_COOKIE, session.refreshToken, { ...this.attributes(req), maxAge: this.config.refreshTtlSec * 1000 });
  }

  /** Removes the cookie (logout, a refused refresh) for cookie-mode requests. */
  clear(req: Request, res: Response): void {
    if (wantsRefreshCookie(req)) res.clearCookie(REFRESH_COOKIE, this.attributes(req));
  }

  private attributes(req: Request): CookieOptions {
    const secure = this.config.cookieSecure;
    if (secure && !req.secure && !LOOPBACK_HOST.test(req.hostname ?? '') && !this.warnedInsecureTransport) {
      // Browsers drop a Secure cookie set over plain HTTP (localhost aside): sessions would then
      // not survive a reload. Say so once instead of silently weakening the cookie.
      this.warnedInsecureTransport = true;
      this.logger.warn(
        'The refresh cookie is Secure but this request came over plain HTTP: browsers will not keep it, so dashboard ' +
          'sessions end on reload. Serve ChatOps over HTTPS (behind a TLS proxy set TRUST_PROXY=true), or set COOKIE_SECURE=false ' +
          'on a trusted network (docs/security.md).',
      );
    }
    return { httpOnly: true, secure, sameSite: 'strict', path: REFRESH_COOKIE_PATH };
  }
}
