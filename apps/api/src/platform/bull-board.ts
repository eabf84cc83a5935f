import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter as BullBoardAdapter } from '@bull-board/fastify';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppError, sendProblem, toProblem } from '@bo/core';
import { Authenticator } from '@bo/access';
import { JobDispatcher } from '@bo/queue';
import { resolveActor } from '../auth/auth.guard';

export const BULL_BOARD_PATH = '/admin/queues';

/**
 * Bull Board at /admin/queues, for platform administrators only. Browsers reach it with the
 * HttpOnly session cookie set by POST /api/v1/auth/session; scripts may send a bearer token.
 */
export async function mountBullBoard(app: NestFastifyApplication): Promise<void> {
  const dispatcher = app.get(JobDispatcher);
  const authenticator = app.get(Authenticator);
  const serverAdapter = new BullBoardAdapter();
  serverAdapter.setBasePath(BULL_BOARD_PATH);
  createBullBoard({ queues: dispatcher.allQueues().map((q) => new BullMQAdapter(q)), serverAdapter });
  const fastify = app.getHttpAdapter().getInstance();
  await fastify.register(
    async (scope) => {
      scope.addHook('onRequest', async (request, reply) => {
        try {
          const actor = await resolveActor(authenticator, request, true);
          if (!actor) throw new AppError('AUTH.UNAUTHENTICATED', 'Log in as a platform administrator first.');
          if (!actor.roles.includes('platform_admin')) throw new AppError('ACCESS.FORBIDDEN', 'The jobs board is for platform administrators.');
        } catch (error) {
          sendProblem(reply, toProblem(error, String(request.id), request.url));
          return reply;
        }
      });
      await scope.register(serverAdapter.registerPlugin());
    },
    { prefix: BULL_BOARD_PATH },
  );
}
