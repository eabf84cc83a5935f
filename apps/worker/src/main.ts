import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { AppConfig, assertNodeVersion, loadConfig } from '@bo/core';
import { WorkerModule } from './worker.module';
import { WorkerHealth } from './worker-health';

async function main(): Promise<void> {
  assertNodeVersion();
  loadConfig(); // fail before Nest starts, with every bad variable named
  const app = await NestFactory.createApplicationContext(WorkerModule, { bufferLogs: true });
  const logger = app.get(Logger);
  app.useLogger(logger);
  app.enableShutdownHooks();
  const config = app.get(AppConfig);
  await app.get(WorkerHealth).listen(config.WORKER_HEALTH_PORT, config.HOST);
  logger.log({ healthPort: config.WORKER_HEALTH_PORT }, 'worker started');
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
