import { Body, Controller, Delete, Get, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Actor, CurrentActor } from '@bo/access';
import { Idempotent } from '@bo/core';
import { ApiKeysService } from '@bo/identity';
import { Allow } from '../auth/allow.decorator';
import { CreateApiKeyDto } from './identity.dto';

@ApiTags('api-keys')
@Controller('api-keys')
export class ApiKeysController {
  constructor(private readonly keys: ApiKeysService) {}

  @Get()
  @Allow(['admin'])
  list(@CurrentActor() actor: Actor) {
    return this.keys.list(actor);
  }

  @Post()
  @Idempotent()
  @Allow(['admin'])
  @ApiOperation({ summary: 'Create an API key: the key is in this response only' })
  create(@CurrentActor() actor: Actor, @Body() body: CreateApiKeyDto) {
    return this.keys.create(actor, body);
  }

  @Delete(':id')
  @Allow(['admin'])
  @ApiOperation({ summary: 'Revoke an API key' })
  revoke(@CurrentActor() actor: Actor, @Param('id', ParseUUIDPipe) id: string) {
    return this.keys.revoke(actor, id);
  }
}
