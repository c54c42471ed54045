import { Body, Controller, Get, HttpCode, Param, Post, Put, Query, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { ApiErrors } from '../../common/api-errors';
import { AuthUser, CurrentUser, ReqMeta, RequestMeta } from '../../common/decorators';
import { CommandsService } from './commands.service';
import { CommandHistoryQueryDto, RunCommandDto, RunCommandQueryDto, UpdateCommandPolicyDto } from './dto/command.dto';
import { CommandAcceptedDto, CommandPolicyDto, CommandRecordDto, CommandResponseDto } from './dto/command.response';
import { UuidPipe } from '../../common/uuid.pipe';
import { ApiCapability } from '../access/api-capability.decorator';

@ApiTags('commands')
@ApiBearerAuth()
@ApiErrors(400, 401, 404, 413)
@Controller('commands')
export class CommandsController {
  constructor(private readonly commands: CommandsService) {}

  /**
   * Runs a shell command on the server through its agent (`/bin/sh -c`, as the agent's user).
   * Answers when it finished; with `?async=true` answers 202 at once, streams output over `/live`
   * (`command_output`, then `command_finished`) and keeps the record at `GET /commands/item/{id}`.
   * Every command is recorded in the history and the audit log, whatever its outcome.
   */
  @Post(':serverId')
  @HttpCode(200)
  @ApiOkResponse({ type: CommandResponseDto, description: 'The command ran (any exit code, or killed at its timeout)' })
  @ApiAcceptedResponse({ type: CommandAcceptedDto, description: 'With ?async=true: started' })
  @ApiErrors(403, 429, 502, 503, 504)
  @ApiCapability('commands.run')
  runCommand(
    @CurrentUser() user: AuthUser,
    @Param('serverId', UuidPipe) serverId: string,
    @Body() dto: RunCommandDto,
    @Query() query: RunCommandQueryDto,
    @ReqMeta() meta: RequestMeta,
    @Res({ passthrough: true }) res: Response,
  ): Promise<CommandResponseDto | CommandAcceptedDto> {
    if (!query.async) return this.commands.run(user, serverId, dto, meta, false);
    res.status(202);
    return this.commands.run(user, serverId, dto, meta, true);
  }

  /** One command with its whole (capped) output. */
  @Get('item/:commandId')
  @ApiCapability('commands.run')
  getCommand(@CurrentUser() user: AuthUser, @Param('commandId', UuidPipe) commandId: string): Promise<CommandRecordDto> {
    return this.commands.get(user, commandId);
  }

  /** The server's commands, newest first; output cut to 4,096 characters per item (`preview`). */
  @Get(':serverId/history')
  @ApiCapability('commands.run')
  listCommandHistory(
    @CurrentUser() user: AuthUser,
    @Param('serverId', UuidPipe) serverId: string,
    @Query() query: CommandHistoryQueryDto,
  ): Promise<CommandRecordDto[]> {
    return this.commands.list(user, serverId, query);
  }

  /** The server's command policy (empty lists: everything the agent allows). */
  @Get(':serverId/policy')
  @ApiCapability('server.read')
  getCommandPolicy(@CurrentUser() user: AuthUser, @Param('serverId', UuidPipe) serverId: string): Promise<CommandPolicyDto> {
    return this.commands.getPolicy(user, serverId);
  }

  /** Replaces the allow and/or deny patterns; a bad pattern is a 400 naming its line. */
  @Put(':serverId/policy')
  @ApiCapability('server.manage')
  updateCommandPolicy(
    @CurrentUser() user: AuthUser,
    @Param('serverId', UuidPipe) serverId: string,
    @Body() dto: UpdateCommandPolicyDto,
    @ReqMeta() meta: RequestMeta,
  ): Promise<CommandPolicyDto> {
    return this.commands.updatePolicy(user, serverId, dto, meta);
  }
}
