import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Actor, CurrentActor } from '@bo/access';
import { AuditService } from '@bo/audit';
import { DEFAULT_PAGE_SIZE } from '@bo/core';
import { Allow } from '../auth/allow.decorator';
import { AuditQuery } from './identity.dto';
import { AuditEventPageDto, ChainVerificationDto } from './identity.responses';

@ApiTags('audit')
@Controller('audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @Allow(['admin'])
  @ApiOperation({ summary: "The organisation's audit events, newest first" })
  @ApiOkResponse({ type: AuditEventPageDto })
  list(@CurrentActor() actor: Actor, @Query() query: AuditQuery): Promise<AuditEventPageDto> {
    return this.audit.list(actor, { ...query, limit: query.limit ?? DEFAULT_PAGE_SIZE });
  }

  @Get('verify')
  @Allow(['admin'])
  @ApiOperation({ summary: "Recompute the organisation's hash chain; names the first broken link" })
  @ApiOkResponse({ type: ChainVerificationDto })
  verify(@CurrentActor() actor: Actor): Promise<ChainVerificationDto> {
    return this.audit.verify(actor);
  }
}
