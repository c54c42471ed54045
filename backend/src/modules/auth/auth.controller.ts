import { Body, Controller, Get, HttpCode, Post, Put, UseGuards } from '@nestjs/common';
import { ApiErrors } from '../../common/api-errors';
import { ApiBearerAuth, ApiTags, ApiTooManyRequestsResponse } from '@nestjs/swagger';
import { ThrottlerGuard } from '@nestjs/throttler';
import { AuthUser, CurrentUser, Public, ReqMeta, RequestMeta } from '../../common/decorators';
import { AuthService } from './auth.service';
import { ChangePasswordDto, LoginDto, RefreshDto, RegisterDto, UpdateProfileDto } from './dto/auth.dto';
import { AuthTokensResponse, UserResponse } from './dto/auth.response';

@ApiTags('auth')
@ApiErrors(400, 401, 413)
@Controller('auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  /** Creates an account; the first account becomes an admin. Rate limited per client IP. */
  @Public()
  @UseGuards(ThrottlerGuard)
  @ApiTooManyRequestsResponse({ description: 'Too many attempts from this address' })
  @ApiErrors(409)
  @Post('register')
  register(@Body() dto: RegisterDto, @ReqMeta() meta: RequestMeta): Promise<AuthTokensResponse> {
    return this.auth.register(dto, meta);
  }

  /** Signs in with a username or email. Rate limited per client IP. */
  @Public()
  @UseGuards(ThrottlerGuard)
  @ApiTooManyRequestsResponse({ description: 'Too many attempts from this address' })
  @Post('login')
  @HttpCode(200)
  login(@Body() dto: LoginDto, @ReqMeta() meta: RequestMeta): Promise<AuthTokensResponse> {
    return this.auth.login(dto, meta);
  }

  /** Exchanges a refresh token for a new token pair; the presented token stops working. */
  @Public()
  @Post('refresh')
  @HttpCode(200)
  refresh(@Body() dto: RefreshDto, @ReqMeta() meta: RequestMeta): Promise<AuthTokensResponse> {
    return this.auth.refresh(dto.refreshToken, meta);
  }

  /** Ends the session the refresh token belongs to. */
  @Public()
  @Post('logout')
  @HttpCode(204)
  logout(@Body() dto: RefreshDto, @ReqMeta() meta: RequestMeta): Promise<void> {
    return this.auth.logout(dto.refreshToken, meta);
  }

  /** The signed-in user. */
  @ApiBearerAuth()
  @Get('me')
  getMe(@CurrentUser() user: AuthUser): Promise<UserResponse> {
    return this.auth.me(user.id);
  }

  /** Updates the signed-in user's full name or email. */
  @ApiBearerAuth()
  @ApiErrors(409)
  @Put('me')
  updateMe(@CurrentUser() user: AuthUser, @Body() dto: UpdateProfileDto, @ReqMeta() meta: RequestMeta): Promise<UserResponse> {
    return this.auth.updateProfile(user, dto, meta);
  }

  /** Changes the password, revokes every other session and returns a fresh token pair. */
  @ApiBearerAuth()
  @UseGuards(ThrottlerGuard)
  @ApiErrors(403, 429)
  @Post('change-password')
  @HttpCode(200)
  changePassword(@CurrentUser() user: AuthUser, @Body() dto: ChangePasswordDto, @ReqMeta() meta: RequestMeta): Promise<AuthTokensResponse> {
    return this.auth.changePassword(user, dto, meta);
  }
}
