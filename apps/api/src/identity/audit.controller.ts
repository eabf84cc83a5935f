import { Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Actor, CurrentActor } from '@bo/access';
import { AuditService, CheckpointsService } from '@bo/audit';
import { AppError, DEFAULT_PAGE_SIZE, PageQuery } from '@bo/core';
import { Allow } from '../auth/allow.decorator';
import { AuditQuery } from './identity.dto';
import { AuditCheckpointDto, AuditCheckpointPageDto, AuditEventPageDto, ChainVerificationDto } from './identity.responses';

@ApiTags('audit')
@Controller('audit')
export class AuditController {
  constructor(
    private readonly audit: AuditService,
    private readonly checkpoints: CheckpointsService,
  ) {}

  @Get()
  @Allow(['admin'])
  @ApiOperation({ summary: "The organisation's audit events, newest first" })
  @ApiOkResponse({ type: AuditEventPageDto })
  list(@CurrentActor() actor: Actor, @Query() query: AuditQuery): Promise<AuditEventPageDto> {
    return this.audit.list(actor, { ...query, limit: query.limit ?? DEFAULT_PAGE_SIZE });
  }

  @Get('verify')
  @Allow(['admin'])
  @ApiOperation({ summary: "Recompute the organisation's hash chain and hold it against the signed checkpoints; names the first broken link or a missing tail" })
  @ApiOkResponse({ type: ChainVerificationDto })
  verify(@CurrentActor() actor: Actor): Promise<ChainVerificationDto> {
    return this.audit.verify(actor);
  }

  @Get('checkpoints')
  @Allow(['admin'])
  @ApiOperation({ summary: "The organisation's signed checkpoints, newest first, to download and keep (verify with GET /signing-keys)" })
  @ApiOkResponse({ type: AuditCheckpointPageDto })
  listCheckpoints(@CurrentActor() actor: Actor, @Query() query: PageQuery): Promise<AuditCheckpointPageDto> {
    return this.checkpoints.list(actor, { ...query, limit: query.limit ?? DEFAULT_PAGE_SIZE });
  }

  @Post('checkpoints')
  @HttpCode(201)
  @Allow(['admin'])
  @ApiOperation({ summary: "Sign a checkpoint of the organisation's chain head now (the worker also does it on a schedule)" })
  @ApiCreatedResponse({ type: AuditCheckpointDto })
  async checkpoint(@CurrentActor() actor: Actor): Promise<AuditCheckpointDto> {
    const checkpoint = await this.checkpoints.checkpointNow(actor);
    if (!checkpoint) throw new AppError('AUDIT.NOT_FOUND', 'The audit trail is empty: nothing to checkpoint.');
    return checkpoint;
  }
}
