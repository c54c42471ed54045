import { Controller, Get, Query } from '@nestjs/common';
import { ApiErrors } from '../../common/api-errors';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { AuthUser, CurrentUser } from '../../common/decorators';
import { AccessService } from '../access/access.service';
import { AuditService } from './audit.service';
import { AuditPageResponse, AuditQueryDto } from './dto/audit-query.dto';

@ApiTags('audit')
@ApiErrors(400, 401, 404)
@ApiBearerAuth()
@Controller('audit')
export class AuditController {
  constructor(private readonly audit: AuditService, private readonly access: AccessService) {}

  /** Audit entries, newest first: your actions, your servers' and your teams' (admins: everything). */
  @Get()
  listAudit(@CurrentUser() user: AuthUser, @Query() q: AuditQueryDto): Promise<AuditPageResponse> {
    return this.audit.list(user, q, (id) => this.access.visible(user, id));
  }
}
