import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { ApiErrors } from '../../common/api-errors';
import { AuthUser, CurrentUser } from '../../common/decorators';
import { RecordingQueryDto, TerminalSessionDto, TerminalSessionsQueryDto } from './dto/terminal.dto';
import { TerminalSessionsService } from './terminal-sessions.service';
import { UuidPipe } from '../../common/uuid.pipe';
import { ApiCapability } from '../access/api-capability.decorator';

/**
 * Terminal sessions are opened over `/live` (`terminal_open`); these routes list them and serve
 * their recordings.
 */
@ApiTags('terminal')
@ApiBearerAuth()
@ApiErrors(400, 401, 404)
@Controller('terminal')
export class TerminalController {
  constructor(private readonly sessions: TerminalSessionsService) {}

  /** One session: who, when, size, how it ended. */
  @Get('sessions/:sessionId')
  @ApiCapability('terminal.open')
  getTerminalSession(@CurrentUser() user: AuthUser, @Param('sessionId', UuidPipe) sessionId: string): Promise<TerminalSessionDto> {
    return this.sessions.get(user, sessionId);
  }

  /** The session's recording as an asciicast v2 file (output, input and resizes with their timing). */
  @Get('sessions/:sessionId/recording')
  @ApiProduces('application/x-asciicast')
  @ApiOkResponse({ description: 'asciicast v2: a JSON header line, then one `[seconds, "o"|"i"|"r", data]` line per event', schema: { type: 'string' } })
  @ApiCapability('terminal.open')
  async getTerminalRecording(
    @CurrentUser() user: AuthUser,
    @Param('sessionId', UuidPipe) sessionId: string,
    @Query() query: RecordingQueryDto,
    @Res() res: Response,
  ): Promise<void> {
    await this.sessions.writeRecording(user, sessionId, res, query.download === true);
  }

  /** The server's terminal sessions, newest first. */
  @Get(':serverId/sessions')
  @ApiCapability('terminal.open')
  listTerminalSessions(
    @CurrentUser() user: AuthUser,
    @Param('serverId', UuidPipe) serverId: string,
    @Query() query: TerminalSessionsQueryDto,
  ): Promise<TerminalSessionDto[]> {
    return this.sessions.list(user, serverId, query);
  }
}
