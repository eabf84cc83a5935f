import { Body, Controller, Get, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Actor, CurrentActor } from '@bo/access';
import { Idempotent } from '@bo/core';
import { OrganisationsService } from '@bo/identity';
import { ANY_ROLE, Allow } from '../auth/allow.decorator';
import { CreateOrganisationDto, OrganisationListQuery } from './identity.dto';
import { CreatedOrganisationDto, OrganisationDto } from './identity.responses';

@ApiTags('organisations')
@Controller('organisations')
export class OrganisationsController {
  constructor(private readonly organisations: OrganisationsService) {}

  @Get()
  @Allow(ANY_ROLE)
  @ApiOperation({ summary: 'Directory of organisations (funders, control services, certifiers...)' })
  @ApiOkResponse({ type: [OrganisationDto] })
  list(@Query() query: OrganisationListQuery): Promise<OrganisationDto[]> {
    return this.organisations.list(query);
  }

  @Get(':id')
  @Allow(ANY_ROLE)
  @ApiOperation({ summary: 'An organisation of the directory' })
  @ApiOkResponse({ type: OrganisationDto })
  get(@Param('id', ParseUUIDPipe) id: string): Promise<OrganisationDto> {
    return this.organisations.get(id);
  }

  @Post()
  @Idempotent()
  @Allow(['platform_admin'])
  @ApiOperation({ summary: 'Enter an organisation (certifier, mandated body...) and optionally its first admin' })
  @ApiCreatedResponse({ type: CreatedOrganisationDto })
  create(@CurrentActor() actor: Actor, @Body() body: CreateOrganisationDto): Promise<CreatedOrganisationDto> {
    return this.organisations.create(actor, body);
  }
}
