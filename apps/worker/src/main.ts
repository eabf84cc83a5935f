import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { AppConfig, PinoNestLogger, assertNodeVersion, createRootLogger, loadConfig } from '@bo/core';
import { WorkerModule } from './worker.module';
import { WorkerHealth } from './worker-health';

async function main(): Promise<void> {
  assertNodeVersion();
  loadConfig(); // fail before Nest starts, with every bad variable named
  const logger = createRootLogger('worker');
  const app = await NestFactory.createApplicationContext(WorkerModule, { logger: new PinoNestLogger(logger) });
  app.enableShutdownHooks();
  const config = app.get(AppConfig);
  await app.get(WorkerHealth).listen(config.WORKER_HEALTH_PORT, config.HOST);
  logger.info({ healthPort: config.WORKER_HEALTH_PORT }, 'worker started');
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
