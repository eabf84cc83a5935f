import { Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Actor, CurrentActor } from '@bo/access';
import { AuditService, CheckpointsService } from '@bo/audit';
import { AppError, DEFAULT_PAGE_SIZE, PageQuery } from '@bo/core';
import { Allow } from '../auth/allow.decorator';
import { AuditQuery } from './identity.dto';

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
  list(@CurrentActor() actor: Actor, @Query() query: AuditQuery) {
    return this.audit.list(actor, { ...query, limit: query.limit ?? DEFAULT_PAGE_SIZE });
  }

  @Get('verify')
  @Allow(['admin'])
  @ApiOperation({ summary: "Recompute the organisation's hash chain and hold it against the signed checkpoints; names the first broken link or a missing tail" })
  verify(@CurrentActor() actor: Actor) {
    return this.audit.verify(actor);
  }

  @Get('checkpoints')
  @Allow(['admin'])
  @ApiOperation({ summary: "The organisation's signed checkpoints, newest first, to download and keep (verify with GET /signing-keys)" })
  listCheckpoints(@CurrentActor() actor: Actor, @Query() query: PageQuery) {
    return this.checkpoints.list(actor, { ...query, limit: query.limit ?? DEFAULT_PAGE_SIZE });
  }

  @Post('checkpoints')
  @HttpCode(201)
  @Allow(['admin'])
  @ApiOperation({ summary: "Sign a checkpoint of the organisation's chain head now (the worker also does it on a schedule)" })
  async checkpoint(@CurrentActor() actor: Actor) {
    const checkpoint = await this.checkpoints.checkpointNow(actor);
    if (!checkpoint) throw new AppError('AUDIT.NOT_FOUND', 'The audit trail is empty: nothing to checkpoint.');
    return checkpoint;
  }
}
