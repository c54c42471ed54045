import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { PersonalTokenEntity } from './personal-token.entity';
import { PersonalTokensController } from './personal-tokens.controller';
import { PersonalTokensService } from './personal-tokens.service';

@Module({
  imports: [AuditModule, TypeOrmModule.forFeature([PersonalTokenEntity])],
  controllers: [PersonalTokensController],
  providers: [PersonalTokensService],
  exports: [PersonalTokensService],
})
export class PersonalTokensModule {}
