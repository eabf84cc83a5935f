import {
  CallHandler,
  ExecutionContext,
  Injectable,
  NestInterceptor,
  UseInterceptors,
  applyDecorators,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiHeader } from '@nestjs/swagger';
import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Observable, from, lastValueFrom } from 'rxjs';
import { AppError } from '../errors/error-codes';

export interface StoredResponse {
  status: number;
  body: unknown;
  headers: Record<string, string>;
}

export type BeginResult =
  | { state: 'new' }
  | { state: 'replay'; response: StoredResponse }
  | { state: 'mismatch' }
  | { state: 'in_progress' };

/** Where first responses are kept; the database lib provides the PostgreSQL implementation. */
export abstract class IdempotencyStore {
  abstract begin(scope: string, key: string, requestHash: string): Promise<BeginResult>;
  abstract complete(scope: string, key: string, response: StoredResponse): Promise<void>;
  abstract abandon(scope: string, key: string): Promise<void>;
}

const REPLAYED_HEADERS = ['location', 'etag'];

/**
 * Marks a creating POST: a repeated `Idempotency-Key` replays the first response. The interceptor
 * is bound here, to these routes only: as a global interceptor it wrapped every request, reads
 * included, in an RxJS pipeline and an async resource for nothing.
 */
export const Idempotent = () =>
  applyDecorators(
    UseInterceptors(IdempotencyInterceptor),
    ApiHeader({
      name: 'Idempotency-Key',
      required: false,
      description: 'Any unique string (1-200 chars). A retry with the same key and body returns the first response.',
    }),
  );

@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly store: IdempotencyStore,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<FastifyRequest & { actor?: { id: string } }>();
    const key = request.headers['idempotency-key'];
    if (key === undefined) return next.handle();
    if (typeof key !== 'string' || key.length === 0 || key.length > 200) {
      throw new AppError('REQUEST.VALIDATION', 'Idempotency-Key must be 1 to 200 characters.', {
        errors: [{ field: 'header.Idempotency-Key', message: 'must be 1 to 200 characters' }],
      });
    }
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    const status = this.reflector.get<number>('__httpCode__', context.getHandler()) ?? 201;
    return from(this.run(request, reply, key, status, next));
  }

  private async run(
    request: FastifyRequest & { actor?: { id: string } },
    reply: FastifyReply,
    key: string,
    status: number,
    next: CallHandler,
  ): Promise<unknown> {
    const scope = request.actor?.id ?? 'anonymous';
    const hash = createHash('sha256')
      .update(`${request.method} ${request.url}\n${JSON.stringify(request.body ?? null)}`)
      .digest('hex');
    const begun = await this.store.begin(scope, key, hash);
    if (begun.state === 'mismatch') {
      throw new AppError('IDEMPOTENCY.KEY_REUSED', 'This Idempotency-Key was used for a different request.');
    }
    if (begun.state === 'in_progress') {
      throw new AppError('IDEMPOTENCY.IN_PROGRESS', 'A request with this Idempotency-Key is still running.');
    }
    if (begun.state === 'replay') {
      for (const [name, value] of Object.entries(begun.response.headers)) void reply.header(name, value);
      void reply.header('idempotent-replayed', 'true');
      void reply.status(begun.response.status);
      return begun.response.body;
    }
    try {
      const body = await lastValueFrom(next.handle(), { defaultValue: undefined });
      const headers: Record<string, string> = {};
      for (const name of REPLAYED_HEADERS) {
        const value = reply.getHeader(name);
        if (value !== undefined) headers[name] = String(value);
      }
      await this.store.complete(scope, key, { status, body: body ?? null, headers });
      return body;
    } catch (error) {
      await this.store.abandon(scope, key);
      throw error;
    }
  }
}

