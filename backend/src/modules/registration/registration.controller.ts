import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../../common/api-errors';
import { NoStore, Public } from '../../common/decorators';
import { AuthRateLimit } from '../auth/auth-rate-limit';
import { InviteCheckDto } from './dto/registration.dto';
import { InviteCheckResponse, RegistrationStatusResponse } from './dto/registration.response';
import { RegistrationService } from './registration.service';

/** What the register page asks before an account exists. */
@ApiTags('auth')
@ApiErrors(400, 401)
@Controller('auth')
export class RegistrationController {
  constructor(private readonly registration: RegistrationService) {}

  /** Whether registering needs an invite now. */
  @Public()
  @Get('registration')
  registrationStatus(): Promise<RegistrationStatusResponse> {
    return this.registration.status();
  }

  /** Whether an invite token can be used, and for which email and role (403 `registration.invite_invalid` otherwise). */
  @Public()
  @AuthRateLimit('session')
  @NoStore()
  @ApiErrors(403)
  @Post('invites/check')
  @HttpCode(200)
  checkInvite(@Body() dto: InviteCheckDto): Promise<InviteCheckResponse> {
    return this.registration.checkInvite(dto.inviteToken);
  }
}
