import { Body, Controller, Get, Param, Post, Res } from '@nestjs/common';
import { ApiConsumes, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Actor, CurrentActor } from '@bo/access';
import { Idempotent } from '@bo/core';
import { FrameworksService } from '@bo/controls';
import type { FastifyReply } from 'fastify';
import { Allow } from '../auth/allow.decorator';
import { CreateFrameworkDto, CreateMappingDto } from './controls.dto';
import { FrameworkDto, FrameworkSummaryDto, MappingDto } from './controls.responses';
import { PositiveIntPipe } from '../http/hostile-input';

@ApiTags('frameworks')
@Controller('frameworks')
export class FrameworksController {
  constructor(private readonly frameworks: FrameworksService) {}

  @Get()
  @Allow(['officer', 'manager', 'auditor'])
  @ApiOperation({ summary: "Built-in frameworks (RNQ, service fait, illustrative grid) and the caller's own grids" })
  @ApiOkResponse({ type: [FrameworkSummaryDto] })
  list(@CurrentActor() actor: Actor): Promise<FrameworkSummaryDto[]> {
    return this.frameworks.list(actor);
  }

  @Post()
  @Idempotent()
  @Allow(['officer', 'manager'])
  @ApiConsumes('application/json', 'application/yaml')
  @ApiOperation({ summary: "A funder's own grid, as JSON or YAML; the same code again creates the next version" })
  @ApiCreatedResponse({ type: FrameworkDto, description: 'The new version (Location)' })
  async create(@CurrentActor() actor: Actor, @Body() body: CreateFrameworkDto, @Res({ passthrough: true }) reply: FastifyReply): Promise<FrameworkDto> {
    const framework = await this.frameworks.create(actor, body);
    void reply.header('location', `/api/v1/frameworks/${encodeURIComponent(framework.code)}/versions/${framework.version}`);
    return framework;
  }

  @Post('mappings')
  @Idempotent()
  @Allow(['officer', 'manager'])
  @ApiOperation({ summary: 'A mapping set: points of a source framework version feed points of a target version (many-to-many)' })
  @ApiCreatedResponse({ type: MappingDto })
  createMapping(@CurrentActor() actor: Actor, @Body() body: CreateMappingDto): Promise<MappingDto> {
    return this.frameworks.createMapping(actor, body);
  }

  @Get(':code/versions/:version')
  @Allow(['officer', 'manager', 'auditor'])
  @ApiOperation({ summary: 'One framework version with its points and their rules' })
  @ApiOkResponse({ type: FrameworkDto })
  get(@CurrentActor() actor: Actor, @Param('code') code: string, @Param('version', PositiveIntPipe) version: number): Promise<FrameworkDto> {
    return this.frameworks.get(actor, code, version);
  }
}
