import 'reflect-metadata';
import { assertNodeVersion } from '@bo/core';
import { AppConfig } from '@bo/core';
import { buildApi } from './bootstrap';

async function main(): Promise<void> {
  assertNodeVersion();
  const { app, logger } = await buildApi();
  const config = app.get(AppConfig);
  await app.listen({ port: config.PORT, host: process.env.HOST ?? '0.0.0.0' });
  logger.info({ port: config.PORT }, 'api listening');
}

main().catch((error: unknown) => {
  // Configuration errors are the expected way to fail: print them plainly.
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
