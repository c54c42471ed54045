import { Controller, Get, Inject, Logger, Query, Req, Res } from '@nestjs/common';
import { ApiFoundResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { APP_CONFIG, AppConfig } from '../../../config/config';
import { ApiErrors } from '../../../common/api-errors';
import { NoStore, Public, ReqMeta, RequestMeta } from '../../../common/decorators';
import { AuditService } from '../../audit/audit.service';
import { AuthRateLimit } from '../auth-rate-limit';
import { AuthService } from '../auth.service';
import { readCookie, RefreshCookie } from '../refresh-cookie';
import { OidcAccountsService } from './oidc-accounts.service';
import { OidcClientService } from './oidc-client.service';
import { NoQuery, OidcLoginQuery, SignInOptionsResponse } from './oidc.dto';
import { OidcErrorCode, OidcException, signInErrorOf } from './oidc.errors';
import { OIDC_STATE_COOKIE, OIDC_STATE_COOKIE_PATH, OIDC_STATE_TTL_MS, OidcStateSealer, safeReturnTo } from './oidc-state';

/**
 * Single sign-on with OpenID Connect (authorization code + PKCE). The browser goes to `login`, is
 * sent to the provider, comes back to `callback`, and lands on the dashboard with the same session
 * (refresh cookie) a password login gives; a failure lands on the sign-in page with `?oidcError=`.
 */
@ApiTags('auth')
@Controller('auth/oidc')
export class OidcController {
  private readonly logger = new Logger('OIDC');
  private readonly sealer: OidcStateSealer;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly oidc: OidcClientService,
    private readonly accounts: OidcAccountsService,
    private readonly auth: AuthService,
    private readonly cookies: RefreshCookie,
    private readonly audit: AuditService,
  ) {
    this.sealer = new OidcStateSealer(config.jwtSecret);
  }

  /** What the sign-in page offers: single sign-on (and its button label), password sign-in. */
  @Public()
  @ApiErrors(400)
  @Get('config')
  getSignInOptions(@Query() _query: NoQuery): SignInOptionsResponse {
    return { oidcEnabled: this.config.oidc !== null, oidcButtonLabel: this.config.oidc?.buttonLabel ?? '', localLogin: this.config.localLogin };
  }

  /**
   * Starts a single sign-on: 302 to the provider's authorization endpoint with state, nonce and a
   * PKCE S256 challenge; the verifier rides in a sealed, HttpOnly, 10-minute cookie for the callback.
   * 404 `oidc.disabled` when single sign-on is not configured, 503 `oidc.provider_unavailable` while the provider is down.
   */
  @Public()
  @NoStore()
  @ApiFoundResponse({ description: 'Redirect to the sign-in provider' })
  @ApiErrors(400, 404, 503)
  @Get('login')
  async startOidcLogin(@Query() query: OidcLoginQuery, @Req() req: Request, @Res() res: Response): Promise<void> {
    const { url, pending } = await this.oidc.begin(safeReturnTo(query.returnTo));
    res.cookie(OIDC_STATE_COOKIE, this.sealer.seal(pending), {
      httpOnly: true,
      secure: this.config.cookieSecure,
      // Lax: the provider sends the browser back with a cross-site top-level GET, which Strict would strip the cookie from.
      sameSite: 'lax',
      path: OIDC_STATE_COOKIE_PATH,
      maxAge: OIDC_STATE_TTL_MS,
    });
    res.redirect(302, url.href);
  }

  /**
   * Where the provider sends the browser back. Validates state, PKCE, the ID token and nonce,
   * finds or creates the account by (issuer, subject), sets the refresh cookie and redirects to the
   * dashboard; any failure redirects to `/login?oidcError=<code>` (never a token in a URL). Rate
   * limited with the credential budget.
   */
  @Public()
  @NoStore()
  @AuthRateLimit('credentials')
  @ApiFoundResponse({ description: 'Redirect to the dashboard (signed in) or to /login?oidcError=<code>' })
  @Get('callback')
  async oidcCallback(@Req() req: Request, @Res() res: Response, @ReqMeta() meta: RequestMeta): Promise<void> {
    const pending = this.sealer.open(readCookie(req, OIDC_STATE_COOKIE));
    // One attempt per cookie: whatever happens next, the browser forgets it.
    res.clearCookie(OIDC_STATE_COOKIE, { httpOnly: true, secure: this.config.cookieSecure, sameSite: 'lax', path: OIDC_STATE_COOKIE_PATH });
    try {
      if (!pending) throw new OidcException(OidcErrorCode.StateInvalid, 'The sign-in expired or was not started here; start again');
      const query = req.originalUrl.includes('?') ? req.originalUrl.slice(req.originalUrl.indexOf('?') + 1) : '';
      const identity = await this.oidc.complete(query, pending);
      const user = await this.accounts.signIn(identity, meta);
      this.cookies.startBrowserSession(req, res, await this.auth.startSession(user, meta));
      res.redirect(302, pending.returnTo);
    } catch (err) {
      if (!(err instanceof OidcException)) throw err; // the global filter answers it (e.g. 503 database unavailable)
      await this.audit.record({ action: 'auth.login', description: `Single sign-on failed (${err.code})`, meta, success: false });
      if (err.code !== OidcErrorCode.StateInvalid) this.logger.debug(`Single sign-on failed: ${err.code}`);
      res.redirect(302, `/login?oidcError=${encodeURIComponent(signInErrorOf(err.code))}`);
    }
  }
}
