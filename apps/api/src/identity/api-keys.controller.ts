import { Body, Controller, Delete, Get, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Actor, CurrentActor } from '@bo/access';
import { Idempotent } from '@bo/core';
import { ApiKeysService } from '@bo/identity';
import { Allow } from '../auth/allow.decorator';
import { CreateApiKeyDto } from './identity.dto';
import { ApiKeyDto, CreatedApiKeyDto } from './identity.responses';

@ApiTags('api-keys')
@Controller('api-keys')
export class ApiKeysController {
  constructor(private readonly keys: ApiKeysService) {}

  @Get()
  @Allow(['admin'])
  @ApiOperation({ summary: "The organisation's API keys (never the keys themselves)" })
  @ApiOkResponse({ type: [ApiKeyDto] })
  list(@CurrentActor() actor: Actor): Promise<ApiKeyDto[]> {
    return this.keys.list(actor);
  }

  @Post()
  @Idempotent()
  @Allow(['admin'])
  @ApiOperation({ summary: 'Create an API key: the key is in this response only' })
  @ApiCreatedResponse({ type: CreatedApiKeyDto })
  create(@CurrentActor() actor: Actor, @Body() body: CreateApiKeyDto): Promise<CreatedApiKeyDto> {
    return this.keys.create(actor, body);
  }

  @Delete(':id')
  @Allow(['admin'])
  @ApiOperation({ summary: 'Revoke an API key' })
  @ApiOkResponse({ type: ApiKeyDto, description: 'The revoked key' })
  revoke(@CurrentActor() actor: Actor, @Param('id', ParseUUIDPipe) id: string): Promise<ApiKeyDto> {
    return this.keys.revoke(actor, id);
  }
}
