import { Body, Controller, Get, HttpCode, Post, Put, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { ApiErrors } from '../../common/api-errors';
import { AuthUser, CurrentUser, NoStore, PasswordChangeAllowed, Public, ReqMeta, RequestMeta, SessionOnly } from '../../common/decorators';
import { AuthRateLimit } from './auth-rate-limit';
import { AuthService } from './auth.service';
import { ChangePasswordDto, CompletePasswordResetDto, LoginDto, RefreshDto, RegisterDto, UpdateProfileDto } from './dto/auth.dto';
import { AuthTokensResponse, UserResponse } from './dto/auth.response';
import { REFRESH_HEADER, RefreshCookie, wantsRefreshCookie } from './refresh-cookie';
import { DomainException } from '../../common/domain-exception';
import { AuthErrorCode } from './auth.errors';

/** Documents the browser mode header on the routes that issue or take a refresh token. */
const CookieModeHeader = () =>
  ApiHeader({
    name: REFRESH_HEADER,
    required: false,
    description: 'Send `1` (browsers): the refresh token is set as the HttpOnly cookie `chatops_refresh` (path /api/v1/auth) ' +
      'instead of the body; refresh and logout accept that cookie only together with this header.',
  });

@ApiTags('auth')
@ApiErrors(400, 401, 413)
@Controller('auth')
export class AuthController {
  constructor(private readonly auth: AuthService, private readonly cookies: RefreshCookie) {}

  /** Creates an account; the first account becomes an admin. Rate limited per client IP. 403 `auth.local_login_disabled` with LOCAL_LOGIN=false. */
  @Public()
  @AuthRateLimit('credentials')
  @NoStore()
  @CookieModeHeader()
  @ApiErrors(403, 409)
  @Post('register')
  async register(
    @Body() dto: RegisterDto,
    @ReqMeta() meta: RequestMeta,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<AuthTokensResponse> {
    return this.cookies.deliver(req, res, await this.auth.register(dto, meta));
  }

  /** Signs in with a username or email. Rate limited per client IP. 403 `auth.local_login_disabled` with LOCAL_LOGIN=false. */
  @Public()
  @AuthRateLimit('credentials')
  @NoStore()
  @CookieModeHeader()
  @ApiErrors(403)
  @Post('login')
  @HttpCode(200)
  async login(
    @Body() dto: LoginDto,
    @ReqMeta() meta: RequestMeta,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<AuthTokensResponse> {
    return this.cookies.deliver(req, res, await this.auth.login(dto, meta));
  }

  /**
   * Exchanges a refresh token (the body's, or the cookie with `X-ChatOps-Refresh: 1`) for a new
   * token pair; the presented token stops working. A cookie without the header is refused (403).
   */
  @Public()
  @AuthRateLimit('session')
  @NoStore()
  @CookieModeHeader()
  @ApiErrors(403)
  @Post('refresh')
  @HttpCode(200)
  async refresh(
    @Body() dto: RefreshDto,
    @ReqMeta() meta: RequestMeta,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<AuthTokensResponse> {
    const token = this.cookies.required(req, dto.refreshToken);
    try {
      return this.cookies.deliver(req, res, await this.auth.refresh(token, meta));
    } catch (err) {
      // A refused token stays refused: drop the cookie so the browser stops presenting it.
      if (err instanceof DomainException && (err.status === 401 || err.code === AuthErrorCode.UserDisabled)) this.cookies.clear(req, res);
      throw err;
    }
  }

  /** Ends the session the refresh token (body, or cookie with `X-ChatOps-Refresh: 1`) belongs to, and clears the cookie. */
  @Public()
  @AuthRateLimit('session')
  @CookieModeHeader()
  @ApiErrors(403)
  @Post('logout')
  @HttpCode(204)
  async logout(
    @Body() dto: RefreshDto,
    @ReqMeta() meta: RequestMeta,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<void> {
    // A browser whose cookie is already gone has nothing left to revoke (204); an API client must name its token.
    const token = wantsRefreshCookie(req) ? this.cookies.presented(req, dto.refreshToken) : this.cookies.required(req, dto.refreshToken);
    if (token) await this.auth.logout(token, meta);
    this.cookies.clear(req, res);
  }

  /** The signed-in user (`mustChangePassword: true` while a temporary password an admin set is to be changed). */
  @ApiBearerAuth()
  @PasswordChangeAllowed()
  @Get('me')
  getMe(@CurrentUser() user: AuthUser): Promise<UserResponse> {
    return this.auth.me(user.id);
  }

  /** Updates the signed-in user's full name or email. Needs a signed-in session (not a personal API token). */
  @ApiBearerAuth()
  @SessionOnly()
  @ApiErrors(403, 409)
  @Put('me')
  updateMe(@CurrentUser() user: AuthUser, @Body() dto: UpdateProfileDto, @ReqMeta() meta: RequestMeta): Promise<UserResponse> {
    return this.auth.updateProfile(user, dto, meta);
  }

  /**
   * Changes the password, revokes every other session and returns a fresh token pair (cookie mode: a new cookie).
   * Needs a signed-in session (not a personal API token); 403 `auth.local_login_disabled` with LOCAL_LOGIN=false.
   */
  @ApiBearerAuth()
  @SessionOnly()
  @PasswordChangeAllowed()
  @AuthRateLimit('credentials')
  @NoStore()
  @CookieModeHeader()
  @ApiErrors(403)
  @Post('change-password')
  @HttpCode(200)
  async changePassword(
    @CurrentUser() user: AuthUser,
    @Body() dto: ChangePasswordDto,
    @ReqMeta() meta: RequestMeta,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<AuthTokensResponse> {
    return this.cookies.deliver(req, res, await this.auth.changePassword(user, dto, meta));
  }

  /**
   * Sets a new password with the token of a one-time reset link an admin created (no sign-in needed).
   * Every session of the user ends; they sign in with the new password. 400 `auth.invalid_reset_token`
   * when the link is unknown, used, replaced or expired. Rate limited per client IP, as login.
   */
  @Public()
  @AuthRateLimit('credentials')
  @NoStore()
  @ApiErrors(403)
  @Post('reset-password')
  @HttpCode(204)
  completePasswordReset(@Body() dto: CompletePasswordResetDto, @ReqMeta() meta: RequestMeta): Promise<void> {
    return this.auth.completePasswordReset(dto, meta);
  }
}
