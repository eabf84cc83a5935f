import './runtime-flags'; // first: V8 settings before any module allocates
import 'reflect-metadata';
import { AppConfig, assertNodeVersion, loadConfig } from '@bo/core';
import { buildApi } from './bootstrap';

async function main(): Promise<void> {
  assertNodeVersion();
  loadConfig(); // fail before Nest starts, with every bad variable named
  const { app, logger } = await buildApi();
  const config = app.get(AppConfig);
  await app.listen({ port: config.PORT, host: config.HOST });
  logger.log({ port: config.PORT }, 'api listening');
}

main().catch((error: unknown) => {
  // Configuration errors are the expected way to fail: print them plainly.
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
