import { Body, Controller, Get, HttpCode, Param, Post, Put, Req } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { ApiErrors } from '../../common/api-errors';
import { AuthUser, CurrentUser, NoStore, ReqMeta, RequestMeta } from '../../common/decorators';
import { UuidPipe } from '../../common/uuid.pipe';
import { AdminOnly } from '../admin/admin.guard';
import { CreateInviteDto, UpdateRegistrationDto } from './dto/registration.dto';
import { CreatedInviteResponse, InviteResponse, RegistrationSettingsResponse } from './dto/registration.response';
import { RegistrationService } from './registration.service';

/** The registration setting and invite links (instance admin only). */
@ApiTags('admin')
@AdminOnly()
@ApiErrors(400)
@Controller('admin')
export class AdminRegistrationController {
  constructor(private readonly registration: RegistrationService) {}

  /** The registration mode and where it comes from. */
  @Get('registration')
  getRegistrationSettings(): Promise<RegistrationSettingsResponse> {
    return this.registration.settings();
  }

  /** Opens or closes self-registration (`invite`: only with an invite link). Audited. */
  @Put('registration')
  updateRegistrationSettings(@CurrentUser() user: AuthUser, @Body() dto: UpdateRegistrationDto, @ReqMeta() meta: RequestMeta): Promise<RegistrationSettingsResponse> {
    return this.registration.setMode(user, dto.mode, meta);
  }

  /** Invites, newest first (the latest 200), with their status. */
  @Get('invites')
  listInvites(): Promise<InviteResponse[]> {
    return this.registration.listInvites();
  }

  /** Creates a one-time invite; its token and link are in this response only. Audited. */
  @NoStore()
  @Post('invites')
  createInvite(@CurrentUser() user: AuthUser, @Body() dto: CreateInviteDto, @Req() req: Request, @ReqMeta() meta: RequestMeta): Promise<CreatedInviteResponse> {
    return this.registration.createInvite(user, dto, `${req.protocol}://${req.get('host') ?? 'localhost'}`, meta);
  }

  /** Revokes a pending invite (idempotent; a used one stays used). Audited. */
  @ApiErrors(404)
  @Post('invites/:id/revoke')
  @HttpCode(200)
  revokeInvite(@CurrentUser() user: AuthUser, @Param('id', UuidPipe) id: string, @ReqMeta() meta: RequestMeta): Promise<InviteResponse> {
    return this.registration.revokeInvite(user, id, meta);
  }
}
