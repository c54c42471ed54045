import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { ServerEntity } from '../servers/server.entity';
import { AccessService } from './access.service';

/** The access checks every module uses (global: every server-scoped module needs it). */
@Global()
@Module({
  imports: [TypeOrmModule.forFeature([ServerEntity]), AuditModule],
  providers: [AccessService],
  exports: [AccessService],
})
export class AccessModule {}
