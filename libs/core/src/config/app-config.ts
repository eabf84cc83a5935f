import { createPrivateKey, createPublicKey } from 'node:crypto';
import { plainToInstance, Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
  validateSync,
} from 'class-validator';

const toInt = ({ value }: { value: unknown }) =>
  value === undefined || value === '' ? undefined : /^-?\d+$/.test(String(value)) ? Number(value) : value;
const toBool = ({ value }: { value: unknown }) =>
  value === undefined || value === '' ? undefined : value === '1' || value === 'true' ? true : value === '0' || value === 'false' ? false : value;

const POSTGRES_URL = /^postgres(ql)?:\/\/[^\s]+$/;
const REDIS_URL = /^rediss?:\/\/[^\s]+$/;

/**
 * The one configuration class. Every environment variable the processes read is declared here;
 * `loadConfig()` refuses to return on a missing or malformed value. The compose file and the README
 * table are checked against `CONFIG_VARIABLES` by a test.
 */
export class AppConfig {
  @IsIn(['development', 'test', 'production'])
  NODE_ENV: 'development' | 'test' | 'production' = 'development';

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(65535)
  PORT = 3000;

  /** Address the API and the worker's probe listen on. */
  @IsString()
  @Matches(/^[0-9a-fA-F.:]+$|^localhost$/, { message: 'HOST must be an IP address or localhost' })
  HOST = '0.0.0.0';

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(65535)
  WORKER_HEALTH_PORT = 3001;

  /** Application role: under row-level security. */
  @Matches(POSTGRES_URL, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL: string;

  /** Owner role: runs migrations and reference loads. */
  @Matches(POSTGRES_URL, { message: 'DATABASE_MIGRATION_URL must be a postgres:// URL' })
  DATABASE_MIGRATION_URL: string;

  /** System role (BYPASSRLS): cross-funder jobs only. */
  @Matches(POSTGRES_URL, { message: 'DATABASE_SYSTEM_URL must be a postgres:// URL' })
  DATABASE_SYSTEM_URL: string;

  /** A superuser URL, used only by the setup command to create the roles and the database. */
  @IsOptional()
  @Matches(POSTGRES_URL, { message: 'DATABASE_ADMIN_URL must be a postgres:// URL' })
  DATABASE_ADMIN_URL?: string;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(200)
  DATABASE_POOL_SIZE = 10;

  @Matches(REDIS_URL, { message: 'REDIS_URL must be a redis:// URL' })
  REDIS_URL: string;

  /** Hash-tagged so that every key of a queue lands in one Redis Cluster slot. */
  @Matches(/^\{[a-z0-9_-]+\}$/, { message: 'QUEUE_PREFIX must be a hash tag such as {bo}' })
  QUEUE_PREFIX = '{bo}';

  /** HMAC secret for access tokens; at least 32 characters. */
  @IsString()
  @MinLength(32)
  JWT_SECRET: string;

  @Transform(toInt)
  @IsInt()
  @Min(60)
  @Max(3600)
  ACCESS_TOKEN_TTL_SECONDS = 900;

  /**
   * Ed25519 signing keys (libs/signing), comma-separated, each the base64 of its DER encoding: the
   * first is the active PRIVATE key (PKCS#8), which signs; the others are PUBLIC keys (SPKI) of
   * retired keys, which still verify what they signed. Rotation: put a new private key first and
   * keep the old key's public key after it. `npm start` and the tests generate one.
   */
  @Matches(/^[A-Za-z0-9+/=_-]+(,[A-Za-z0-9+/=_-]+)*$/, { message: 'SIGNING_KEYS must be comma-separated base64 DER keys (an Ed25519 PKCS#8 private key first)' })
  SIGNING_KEYS: string;

  /** Writes (POST, PUT, PATCH, DELETE) per user or API key per minute (Redis, shared by every API process). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  RATE_LIMIT_WRITES_PER_MINUTE = 600;

  /** Imports, uploads and exports per user or API key per minute. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  RATE_LIMIT_HEAVY_PER_MINUTE = 60;

  /** Bulk funding checks (up to 1,000 questions each) per user or API key per minute. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  RATE_LIMIT_BULK_PER_MINUTE = 60;

  /** Anonymous calls of the rate-limited public routes (single sign-on start) per client address per minute. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  RATE_LIMIT_ANONYMOUS_PER_MINUTE = 30;

  @Transform(toInt)
  @IsInt()
  @Min(3600)
  REFRESH_TOKEN_TTL_SECONDS = 30 * 24 * 3600;

  @IsString()
  @MinLength(1)
  BLOB_DIR = '.data/blobs';

  @Transform(toInt)
  @IsInt()
  @Min(1024)
  UPLOAD_MAX_BYTES = 50 * 1024 * 1024;

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL = 'info';

  /** `system` reads the machine clock; `offset` adds the offset stored in the database (tests only). */
  @IsIn(['system', 'offset'])
  CLOCK_MODE: 'system' | 'offset' = 'system';

  @Transform(toBool)
  @IsBoolean()
  DEMO_DATA = false;

  /**
   * Trust X-Forwarded-For from a reverse proxy for the client address (log-in throttling keys
   * on it). Off by default: without a proxy in front, a client could pick its own address.
   */
  @Transform(toBool)
  @IsBoolean()
  TRUST_PROXY = false;

  /** Where the recurring public-list import reads from (a path or an http(s) URL); empty = off. */
  @IsOptional()
  @IsString()
  PUBLIC_LIST_SOURCE?: string;

  /** Days the provider has to answer a notified check; the law's floor is 7. */
  @Transform(toInt)
  @IsInt()
  @Min(7)
  RESPONSE_WINDOW_DAYS = 15;

  /** Longest statement of a request (API): past it PostgreSQL cancels it and the API answers 503. 0 = none. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  DATABASE_STATEMENT_TIMEOUT_MS = 15_000;

  /** Longest statement of a job (worker): imports and recomputes run long. 0 = none. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  JOB_STATEMENT_TIMEOUT_MS = 30 * 60_000;

  /** Longest wait for a database connection (a new one, or a free one of the pool). */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  DATABASE_CONNECT_TIMEOUT_MS = 5_000;

  /**
   * After funded actions change (an import, a hand entry), the price recompute runs at the end of a
   * window of this many minutes (docs/pricing.md): one run for a burst of imports.
   */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  PRICE_RECOMPUTE_DEBOUNCE_MINUTES = 15;

  /** How often the job outbox relay looks for rows it could not hand to Redis at once. */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  OUTBOX_RELAY_INTERVAL_MS = 1_000;

  /**
   * A running job's lock in Redis; a worker that dies (kill -9) loses it, and its job runs again
   * on a live worker within about twice this time.
   */
  @Transform(toInt)
  @IsInt()
  @Min(1_000)
  JOB_LOCK_MS = 30_000;
}

/** Names of every variable the config class reads (checked against docker/compose.yml). */
export const CONFIG_VARIABLES = Object.keys(new AppConfig()).concat([
  'DATABASE_URL',
  'DATABASE_MIGRATION_URL',
  'DATABASE_SYSTEM_URL',
  'DATABASE_ADMIN_URL',
  'REDIS_URL',
  'JWT_SECRET',
  'SIGNING_KEYS',
  'PUBLIC_LIST_SOURCE',
]).filter((v, i, all) => all.indexOf(v) === i);

export class ConfigError extends Error {}

/** Why SIGNING_KEYS cannot be used (the first must be an Ed25519 private key, the rest Ed25519 public keys). */
function signingKeysProblem(value: string): string | undefined {
  const [first, ...rest] = value.split(',');
  try {
    const key = createPrivateKey({ key: Buffer.from(first, 'base64'), format: 'der', type: 'pkcs8' });
    if (key.asymmetricKeyType !== 'ed25519') return 'the first key is not an Ed25519 private key';
  } catch {
    return 'the first key is not a base64 PKCS#8 DER private key';
  }
  for (const [i, entry] of rest.entries()) {
    try {
      const key = createPublicKey({ key: Buffer.from(entry, 'base64'), format: 'der', type: 'spki' });
      if (key.asymmetricKeyType !== 'ed25519') return `key ${i + 2} is not an Ed25519 public key`;
    } catch {
      return `key ${i + 2} is not a base64 SPKI DER public key (retired keys are given by their public key)`;
    }
  }
  return undefined;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const raw: Record<string, unknown> = {};
  for (const key of CONFIG_VARIABLES) {
    if (env[key] !== undefined && env[key] !== '') raw[key] = env[key];
  }
  const config = plainToInstance(AppConfig, raw);
  const errors = validateSync(config, { whitelist: true, forbidUnknownValues: true });
  const problems = errors.map((e) => {
    const given = raw[e.property] === undefined ? 'missing' : 'malformed';
    return `  - ${e.property} (${given}): ${Object.values(e.constraints ?? {}).join('; ')}`;
  });
  if (config.NODE_ENV === 'production' && config.CLOCK_MODE === 'offset') {
    problems.push('  - CLOCK_MODE (malformed): the offset clock is for tests only, never in production');
  }
  if (config.SIGNING_KEYS && !problems.some((p) => p.includes('SIGNING_KEYS'))) {
    const problem = signingKeysProblem(config.SIGNING_KEYS);
    if (problem) problems.push(`  - SIGNING_KEYS (malformed): ${problem}`);
  }
  if (problems.length > 0) {
    throw new ConfigError(`Invalid configuration, the process will not start:\n${problems.join('\n')}`);
  }
  return config;
}
