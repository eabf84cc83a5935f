import { Body, Controller, Get, Headers, HttpCode, Param, ParseUUIDPipe, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Actor, CurrentActor } from '@bo/access';
import { DEFAULT_PAGE_SIZE, Idempotent, assertIfMatch, etagOf } from '@bo/core';
import { UsersService } from '@bo/identity';
import type { FastifyReply } from 'fastify';
import { Allow } from '../auth/allow.decorator';
import { CreateUserDto, UpdateUserDto, UserListQuery } from './identity.dto';
import { UserDto, UserPageDto } from './identity.responses';

@ApiTags('users')
@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get()
  @Allow(['admin'])
  @ApiOperation({ summary: "The organisation's users" })
  @ApiOkResponse({ type: UserPageDto })
  list(@CurrentActor() actor: Actor, @Query() query: UserListQuery): Promise<UserPageDto> {
    return this.users.list(actor, { limit: query.limit ?? DEFAULT_PAGE_SIZE, cursor: query.cursor, q: query.q });
  }

  @Post()
  @Idempotent()
  @Allow(['admin'])
  @ApiOperation({ summary: 'Create a user in the caller\'s organisation' })
  @ApiCreatedResponse({ type: UserDto, description: 'The user; Location and ETag headers' })
  async create(@CurrentActor() actor: Actor, @Body() body: CreateUserDto, @Res({ passthrough: true }) reply: FastifyReply): Promise<UserDto> {
    const user = await this.users.create(actor, body);
    void reply.header('location', `/api/v1/users/${user.id}`).header('etag', etagOf(user.id, user.version));
    return user;
  }

  @Get(':id')
  @Allow(['admin'])
  @ApiOperation({ summary: 'A user of the organisation (ETag header)' })
  @ApiOkResponse({ type: UserDto })
  async get(@CurrentActor() actor: Actor, @Param('id', ParseUUIDPipe) id: string, @Res({ passthrough: true }) reply: FastifyReply): Promise<UserDto> {
    const user = await this.users.get(actor, id);
    void reply.header('etag', etagOf(user.id, user.version));
    return user;
  }

  @Patch(':id')
  @Allow(['admin'])
  @ApiOperation({ summary: 'Change name, roles or disable; honours If-Match' })
  @ApiOkResponse({ type: UserDto })
  async update(
    @CurrentActor() actor: Actor,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: UpdateUserDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<UserDto> {
    const user = await this.users.update(actor, id, body, (version) => assertIfMatch(ifMatch, etagOf(id, version)));
    void reply.header('etag', etagOf(user.id, user.version));
    return user;
  }

  @Post(':id/unlock')
  @HttpCode(204)
  @Allow(['admin'])
  @ApiOperation({ summary: 'Clear the log-in slow-down of a user' })
  @ApiNoContentResponse({ description: 'Unlocked' })
  async unlock(@CurrentActor() actor: Actor, @Param('id', ParseUUIDPipe) id: string): Promise<void> {
    await this.users.unlock(actor, id);
  }
}
