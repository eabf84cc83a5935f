import { Controller, Get, Param } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AppError } from '@bo/core';
import { JobOutbox, JobStatus } from '@bo/queue';
import { Actor, CurrentActor, jobVisible } from '@bo/access';
import { ANY_ROLE, Allow } from '../auth/allow.decorator';
import { JobStatusDto } from '../openapi/responses';

@ApiTags('jobs')
@Controller('jobs')
export class JobsController {
  constructor(private readonly jobs: JobOutbox) {}

  /** A job's state and progress. Visible to its organisation (not to an auditor), platform jobs to platform admins (libs/access). */
  @Get(':id')
  @Allow(ANY_ROLE, ['actions:read', 'actions:write', 'providers:read', 'checks:read'])
  @ApiOperation({ summary: 'Status of a background job' })
  @ApiOkResponse({ type: JobStatusDto })
  async status(@CurrentActor() actor: Actor, @Param('id') id: string): Promise<JobStatus> {
    const status = await this.jobs.status(id);
    if (status === undefined || !jobVisible(actor, status.organisationId)) throw new AppError('JOB.NOT_FOUND', `No job ${id}.`);
    return status;
  }
}
