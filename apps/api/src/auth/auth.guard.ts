import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AppError } from '@bo/core';
import { Actor, Authenticator } from '@bo/access';
import type { FastifyRequest } from 'fastify';
import { ALLOW_METADATA, AllowRule } from './allow.decorator';
import { PUBLIC_ROUTE } from './public.decorator';

export const SESSION_COOKIE = 'bo_session';

/** Resolves the caller from a bearer token, an API key, or (admin pages) the session cookie. */
export async function resolveActor(authenticator: Authenticator, request: FastifyRequest, allowCookie: boolean): Promise<Actor | undefined> {
  const authorization = request.headers.authorization;
  if (authorization) {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization);
    if (!match) throw new AppError('AUTH.TOKEN_INVALID', 'The Authorization header must be "Bearer <token>".');
    const actor = await authenticator.fromAccessToken(match[1]);
    if (!actor) throw new AppError('AUTH.TOKEN_INVALID', 'The access token is invalid or expired.');
    return actor;
  }
  const apiKey = request.headers['x-api-key'];
  if (typeof apiKey === 'string') {
    const actor = await authenticator.fromApiKey(apiKey, request.ip);
    if (!actor) throw new AppError('AUTH.TOKEN_INVALID', 'The API key is invalid or revoked.');
    return actor;
  }
  if (allowCookie) {
    const token = request.cookies?.[SESSION_COOKIE];
    if (token) return authenticator.fromAccessToken(token);
  }
  return undefined;
}

/**
 * Global guard: fails closed. Public routes pass; every other route needs an actor whose roles
 * (or key scopes) match its `@Allow` rule. A route with neither decorator is refused.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly authenticator: Authenticator,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;
    const request = context.switchToHttp().getRequest<FastifyRequest & { actor?: Actor }>();
    const actor = await resolveActor(this.authenticator, request, false);
    if (!actor) throw new AppError('AUTH.UNAUTHENTICATED', 'Authentication required: send a bearer token or an API key.');
    request.actor = actor;
    const rule = this.reflector.getAllAndOverride<AllowRule | undefined>(ALLOW_METADATA, targets);
    if (!rule) throw new AppError('ACCESS.FORBIDDEN', 'This route is not open to any role.');
    if (actor.kind === 'api_key') {
      if (!rule.scopes.some((s) => actor.scopes.includes(s))) {
        throw new AppError('ACCESS.SCOPE_MISSING', `This route needs one of the API key scopes: ${rule.scopes.join(', ') || '(none: users only)'}.`);
      }
      return true;
    }
    if (!rule.roles.some((r) => actor.roles.includes(r))) {
      throw new AppError('ACCESS.FORBIDDEN', `This route is reserved to: ${rule.roles.join(', ')}.`);
    }
    return true;
  }
}
