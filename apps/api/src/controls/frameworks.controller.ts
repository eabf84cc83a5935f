import { Body, Controller, Get, Param, Post, Res } from '@nestjs/common';
import { ApiConsumes, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Actor, CurrentActor } from '@bo/access';
import { Idempotent } from '@bo/core';
import { FrameworksService } from '@bo/controls';
import type { FastifyReply } from 'fastify';
import { Allow } from '../auth/allow.decorator';
import { CreateFrameworkDto, CreateMappingDto } from './controls.dto';
import { PositiveIntPipe } from '../http/hostile-input';

@ApiTags('frameworks')
@Controller('frameworks')
export class FrameworksController {
  constructor(private readonly frameworks: FrameworksService) {}

  @Get()
  @Allow(['officer', 'manager', 'auditor'])
  @ApiOperation({ summary: "Built-in frameworks (RNQ, service fait, illustrative grid) and the caller's own grids" })
  list(@CurrentActor() actor: Actor) {
    return this.frameworks.list(actor);
  }

  @Post()
  @Idempotent()
  @Allow(['officer', 'manager'])
  @ApiConsumes('application/json', 'application/yaml')
  @ApiOperation({ summary: "A funder's own grid, as JSON or YAML; the same code again creates the next version" })
  async create(@CurrentActor() actor: Actor, @Body() body: CreateFrameworkDto, @Res({ passthrough: true }) reply: FastifyReply) {
    const framework = await this.frameworks.create(actor, body);
    void reply.header('location', `/api/v1/frameworks/${encodeURIComponent(framework.code)}/versions/${framework.version}`);
    return framework;
  }

  @Post('mappings')
  @Idempotent()
  @Allow(['officer', 'manager'])
  @ApiOperation({ summary: 'A mapping set: points of a source framework version feed points of a target version (many-to-many)' })
  createMapping(@CurrentActor() actor: Actor, @Body() body: CreateMappingDto) {
    return this.frameworks.createMapping(actor, body);
  }

  @Get(':code/versions/:version')
  @Allow(['officer', 'manager', 'auditor'])
  @ApiOperation({ summary: 'One framework version with its points and their rules' })
  get(@CurrentActor() actor: Actor, @Param('code') code: string, @Param('version', PositiveIntPipe) version: number) {
    return this.frameworks.get(actor, code, version);
  }
}
