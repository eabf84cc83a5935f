import { Body, Controller, Delete, Get, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Actor, CurrentActor } from '@bo/access';
import { AuthService, TokensService, UsersService } from '@bo/identity';
import { AppConfig } from '@bo/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { SESSION_COOKIE } from '../auth/auth.guard';
import { ANY_ROLE, Allow } from '../auth/allow.decorator';
import { Public } from '../auth/public.decorator';
import { LoginDto, RefreshDto } from './identity.dto';

@ApiTags('auth')
@Controller()
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly tokens: TokensService,
    private readonly users: UsersService,
    private readonly config: AppConfig,
  ) {}

  /**
   * Puts the caller's access token in an HttpOnly, SameSite=Strict cookie scoped to /admin, so
   * that admin pages (the jobs board) open in a browser.
   */
  @Post('auth/session')
  @HttpCode(204)
  @Allow(ANY_ROLE)
  @ApiOperation({ summary: 'Open an admin-pages session cookie from the bearer token' })
  session(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): void {
    const token = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1] ?? '';
    void reply.setCookie(SESSION_COOKIE, token, { ...this.sessionCookie(), maxAge: this.config.ACCESS_TOKEN_TTL_SECONDS });
  }

  @Delete('auth/session')
  @HttpCode(204)
  @Public()
  @ApiOperation({ summary: 'Close the admin-pages session cookie' })
  closeSession(@Res({ passthrough: true }) reply: FastifyReply): void {
    void reply.clearCookie(SESSION_COOKIE, this.sessionCookie());
  }

  /** The admin-pages cookie: HttpOnly, SameSite=Strict, scoped to /admin, Secure in production. */
  private sessionCookie() {
    return { path: '/admin', httpOnly: true, sameSite: 'strict' as const, secure: this.config.NODE_ENV === 'production' };
  }

  @Post('auth/login')
  @HttpCode(200)
  @Public()
  @ApiOperation({ summary: 'Log in with e-mail and password: access token and refresh token' })
  login(@Body() body: LoginDto, @Req() request: FastifyRequest) {
    return this.auth.login(body.email, body.password, request.ip);
  }

  @Post('auth/refresh')
  @HttpCode(200)
  @Public()
  @ApiOperation({ summary: 'Spend a refresh token for a new pair; a reused token revokes its family' })
  refresh(@Body() body: RefreshDto) {
    return this.tokens.refresh(body.refreshToken);
  }

  @Post('auth/logout')
  @HttpCode(204)
  @Public()
  @ApiOperation({ summary: 'Revoke the refresh token and its family' })
  async logout(@Body() body: RefreshDto): Promise<void> {
    await this.tokens.logout(body.refreshToken);
  }

  @Get('me')
  @Allow(ANY_ROLE)
  @ApiOperation({ summary: 'The current user, its organisation and roles' })
  me(@CurrentActor() actor: Actor) {
    return this.users.me(actor);
  }
}
