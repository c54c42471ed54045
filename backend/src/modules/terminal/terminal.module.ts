import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AgentsModule } from '../agents/agents.module';
import { AuditModule } from '../audit/audit.module';
import { LiveModule } from '../live/live.module';
import { ServersModule } from '../servers/servers.module';
import { TerminalRecorder } from './terminal-recorder.service';
import { TerminalSessionEntity } from './terminal-session.entity';
import { TerminalSessionsService } from './terminal-sessions.service';
import { TerminalController } from './terminal.controller';
import { TerminalService } from './terminal.service';

/** The web terminal: the `/live` relay to the agent's PTY, recordings, and their REST reads. */
@Module({
  imports: [TypeOrmModule.forFeature([TerminalSessionEntity]), ServersModule, AgentsModule, AuditModule, LiveModule],
  controllers: [TerminalController],
  providers: [TerminalService, TerminalRecorder, TerminalSessionsService],
})
export class TerminalModule {}
