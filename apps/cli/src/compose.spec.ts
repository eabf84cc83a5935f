import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { CONFIG_VARIABLES, ConfigError, loadConfig } from '@bo/core';
import { DB_ROLES } from '@bo/database';

// docker/compose.yml passes settings to the processes by name: a misspelt or invented name is
// silently ignored by the config class, and a missing required one stops every container. This
// keeps the compose file (and the Dockerfile it builds) in step with AppConfig.

const DOCKER_DIR = join(__dirname, '..', '..', '..', 'docker');
const APP_SERVICES = ['migrate', 'api', 'worker'] as const;

interface Service {
  image?: string;
  build?: unknown;
  command?: string[] | string;
  container_name?: string;
  ports?: unknown[];
  environment?: Record<string, unknown> | string[];
  depends_on?: Record<string, { condition?: string }> | string[];
}

const compose = parse(readFileSync(join(DOCKER_DIR, 'compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
};

function environmentOf(name: string): Record<string, string> {
  const env = compose.services[name].environment ?? {};
  if (Array.isArray(env)) {
    return Object.fromEntries(env.map((entry) => {
      const at = entry.indexOf('=');
      return at < 0 ? [entry, ''] : [entry.slice(0, at), entry.slice(at + 1)];
    }));
  }
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v === null || v === undefined ? '' : String(v)]));
}

/** The variables AppConfig refuses to start without, as loadConfig reports them on an empty env. */
function requiredVariables(): string[] {
  try {
    loadConfig({});
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return [...error.message.matchAll(/^\s+- (\w+) \(missing\)/gm)].map((m) => m[1]);
  }
  throw new Error('loadConfig accepted an empty environment');
}

describe('docker/compose.yml', () => {
  it('declares postgres, redis, migrate, api and worker', () => {
    expect(Object.keys(compose.services)).toEqual(expect.arrayContaining(['postgres', 'redis', 'migrate', ...APP_SERVICES]));
  });

  it('lets the worker scale out: no container_name, no published ports', () => {
    const worker = compose.services.worker;
    expect(worker.container_name).toBeUndefined();
    expect(worker.ports).toBeUndefined();
  });

  it('runs the one image with the right command per service', () => {
    const commands = Object.fromEntries(APP_SERVICES.map((s) => [s, ([] as string[]).concat(compose.services[s].command ?? []).join(' ')]));
    expect(commands.migrate).toMatch(/dist\/apps\/cli\/src\/main\.js setup$/);
    expect(commands.api).toMatch(/dist\/apps\/api\/src\/main\.js$/);
    expect(commands.worker).toMatch(/dist\/apps\/worker\/src\/main\.js$/);
    const images = new Set(APP_SERVICES.map((s) => compose.services[s].image));
    expect(images.size).toBe(1);
  });

  it('starts api and worker only after migrate completed successfully', () => {
    for (const name of ['api', 'worker']) {
      const dependsOn = compose.services[name].depends_on;
      expect(Array.isArray(dependsOn)).toBe(false);
      expect((dependsOn as Record<string, { condition?: string }>).migrate?.condition).toBe('service_completed_successfully');
    }
  });

  it.each(APP_SERVICES)('sets on %s only variables the config class reads', (name) => {
    const unknown = Object.keys(environmentOf(name)).filter((key) => !CONFIG_VARIABLES.includes(key));
    expect(unknown).toEqual([]);
  });

  it('reads the required variables from the config class itself', () => {
    expect(requiredVariables().sort()).toEqual(
      expect.arrayContaining(['DATABASE_URL', 'DATABASE_MIGRATION_URL', 'DATABASE_SYSTEM_URL', 'REDIS_URL', 'JWT_SECRET', 'SIGNING_KEYS'].sort()),
    );
  });

  it.each(APP_SERVICES)('sets on %s every variable the config class requires', (name) => {
    const env = environmentOf(name);
    const missing = requiredVariables().filter((key) => !env[key]);
    expect(missing).toEqual([]);
  });

  it('gives the superuser URL to migrate only', () => {
    expect(environmentOf('migrate').DATABASE_ADMIN_URL).toMatch(/^postgres:\/\//);
    expect(environmentOf('api').DATABASE_ADMIN_URL).toBeUndefined();
    expect(environmentOf('worker').DATABASE_ADMIN_URL).toBeUndefined();
  });

  it('connects each URL as the role the design gives it', () => {
    const userOf = (url: string) => /^postgres(?:ql)?:\/\/([^:@/]+)[:@]/.exec(url)?.[1];
    for (const name of APP_SERVICES) {
      const env = environmentOf(name);
      expect(userOf(env.DATABASE_URL)).toBe(DB_ROLES.app);
      expect(userOf(env.DATABASE_MIGRATION_URL)).toBe(DB_ROLES.owner);
      expect(userOf(env.DATABASE_SYSTEM_URL)).toBe(DB_ROLES.system);
    }
  });

  it('puts secrets behind ${VAR:?...} so compose refuses to start without them', () => {
    const env = environmentOf('migrate');
    expect(env.JWT_SECRET).toMatch(/^\$\{JWT_SECRET:\?/);
    expect(env.SIGNING_KEYS).toMatch(/^\$\{SIGNING_KEYS:\?/);
    for (const key of ['DATABASE_URL', 'DATABASE_MIGRATION_URL', 'DATABASE_SYSTEM_URL', 'DATABASE_ADMIN_URL']) {
      expect(env[key]).toMatch(/\$\{[A-Z_]+:\?[^}]*\}@/);
    }
  });
});

describe('docker/Dockerfile', () => {
  const dockerfile = readFileSync(join(DOCKER_DIR, 'Dockerfile'), 'utf8');

  it('is a multi-stage build', () => {
    expect(dockerfile.match(/^FROM\s/gim)?.length ?? 0).toBeGreaterThanOrEqual(2);
  });

  it('runs as a non-root user', () => {
    const users = [...dockerfile.matchAll(/^USER\s+(\S+)/gim)].map((m) => m[1]);
    expect(users.length).toBeGreaterThan(0);
    expect(users.at(-1)).not.toMatch(/^(root|0)(:|$)/);
  });
});
