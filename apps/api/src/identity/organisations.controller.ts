import { Body, Controller, Get, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Actor, CurrentActor } from '@bo/access';
import { Idempotent } from '@bo/core';
import { OrganisationsService } from '@bo/identity';
import { ANY_ROLE, Allow } from '../auth/allow.decorator';
import { CreateOrganisationDto, OrganisationListQuery } from './identity.dto';

@ApiTags('organisations')
@Controller('organisations')
export class OrganisationsController {
  constructor(private readonly organisations: OrganisationsService) {}

  @Get()
  @Allow(ANY_ROLE)
  @ApiOperation({ summary: 'Directory of organisations (funders, control services, certifiers...)' })
  list(@Query() query: OrganisationListQuery) {
    return this.organisations.list(query);
  }

  @Get(':id')
  @Allow(ANY_ROLE)
  get(@Param('id', ParseUUIDPipe) id: string) {
    return this.organisations.get(id);
  }

  @Post()
  @Idempotent()
  @Allow(['platform_admin'])
  @ApiOperation({ summary: 'Enter an organisation (certifier, mandated body...) and optionally its first admin' })
  create(@CurrentActor() actor: Actor, @Body() body: CreateOrganisationDto) {
    return this.organisations.create(actor, body);
  }
}
