import { Module } from '@nestjs/common';
import { ServersModule } from '../servers/servers.module';
import { AuditController } from './audit.controller';
import { AuditModule } from './audit.module';

/** The audit read API; separate from AuditModule so every module can record without a cycle. */
@Module({ imports: [AuditModule, ServersModule], controllers: [AuditController] })
export class AuditHttpModule {}
