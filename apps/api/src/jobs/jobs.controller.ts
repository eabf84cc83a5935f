import { Controller, Get, Param } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AppError } from '@bo/core';
import { JobDispatcher, JobStatus } from '@bo/queue';
import { Actor, CurrentActor } from '@bo/access';
import { ANY_ROLE, Allow } from '../auth/allow.decorator';
import { JobStatusDto } from '../openapi/responses';

@ApiTags('jobs')
@Controller('jobs')
export class JobsController {
  constructor(private readonly jobs: JobDispatcher) {}

  /** A job's state and progress. Visible to its organisation, platform jobs to platform admins. */
  @Get(':id')
  @Allow(ANY_ROLE, ['actions:read', 'actions:write', 'providers:read', 'checks:read'])
  @ApiOperation({ summary: 'Status of a background job' })
  @ApiOkResponse({ type: JobStatusDto })
  async status(@CurrentActor() actor: Actor, @Param('id') id: string): Promise<JobStatus> {
    const status = await this.jobs.status(id);
    const visible =
      status !== undefined &&
      (status.organisationId === actor.organisationId || (status.organisationId === null && actor.roles.includes('platform_admin')));
    if (!visible) throw new AppError('JOB.NOT_FOUND', `No job ${id}.`);
    return status;
  }
}
