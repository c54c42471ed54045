import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { AdminRegistrationController } from './admin-registration.controller';
import { RegistrationController } from './registration.controller';
import { RegistrationService } from './registration.service';

/** Who may register: the instance's registration mode and invite links. */
@Module({
  imports: [AuditModule],
  controllers: [RegistrationController, AdminRegistrationController],
  providers: [RegistrationService],
  exports: [RegistrationService],
})
export class RegistrationModule {}
