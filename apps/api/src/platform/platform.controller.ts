import { Body, Controller, HttpCode, Post, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { IsBoolean, IsOptional } from 'class-validator';
import { Actor, CurrentActor } from '@bo/access';
import { ReferenceService } from '@bo/reference';
import type { FastifyReply } from 'fastify';
import { Allow } from '../auth/allow.decorator';
import { JobAcceptedDto } from '../openapi/responses';

export class ReloadReferenceDto {
  /** Reload even when the files did not change. */
  @IsOptional()
  @IsBoolean()
  force?: boolean;
}

@ApiTags('platform')
@Controller('admin/reference')
export class PlatformController {
  constructor(private readonly reference: ReferenceService) {}

  @Post('reload')
  @HttpCode(202)
  @Allow(['platform_admin'])
  @ApiOperation({ summary: 'Reload reference data (funders, RNQ) in the background' })
  @ApiAcceptedResponse({ type: JobAcceptedDto, description: 'The job id; follow Location for its status' })
  async reload(@CurrentActor() actor: Actor, @Body() body: ReloadReferenceDto, @Res({ passthrough: true }) reply: FastifyReply): Promise<JobAcceptedDto> {
    const jobId = await this.reference.requestReload(actor.id, body.force ?? false);
    void reply.header('location', `/api/v1/jobs/${jobId}`);
    return { jobId };
  }
}
