import { generateKeyPairSync } from 'node:crypto';
import { ConfigError, loadConfig } from './app-config';

const pair = () => generateKeyPairSync('ed25519');
const KEY = pair();

const VALID = {
  DATABASE_URL: 'postgres://bo_app:x@127.0.0.1:5432/bo',
  DATABASE_MIGRATION_URL: 'postgres://bo_owner:x@127.0.0.1:5432/bo',
  DATABASE_SYSTEM_URL: 'postgres://bo_system:x@127.0.0.1:5432/bo',
  REDIS_URL: 'redis://127.0.0.1:6379',
  JWT_SECRET: 'a'.repeat(32),
  SIGNING_KEYS: KEY.privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64'),
};

describe('configuration', () => {
  it('accepts a complete environment and applies defaults', () => {
    const config = loadConfig({ ...VALID, PORT: '4000' });
    expect(config.PORT).toBe(4000);
    expect(config.QUEUE_PREFIX).toBe('{bo}');
    expect(config.CLOCK_MODE).toBe('system');
  });

  it('refuses to start on missing and malformed variables, naming each', () => {
    const attempt = () => loadConfig({ ...VALID, DATABASE_URL: undefined, PORT: 'eighty', REDIS_URL: 'http://x', JWT_SECRET: 'short' });
    expect(attempt).toThrow(ConfigError);
    try {
      attempt();
    } catch (error) {
      const message = (error as Error).message;
      expect(message).toMatch(/DATABASE_URL \(missing\)/);
      expect(message).toMatch(/PORT \(malformed\)/);
      expect(message).toMatch(/REDIS_URL \(malformed\)/);
      expect(message).toMatch(/JWT_SECRET \(malformed\)/);
    }
  });

  it('takes an Ed25519 private key first and retired public keys after it, and refuses anything else', () => {
    const retired = pair().publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
    expect(loadConfig({ ...VALID, SIGNING_KEYS: `${VALID.SIGNING_KEYS},${retired}` }).SIGNING_KEYS).toContain(retired);
    expect(() => loadConfig({ ...VALID, SIGNING_KEYS: undefined })).toThrow(/SIGNING_KEYS \(missing\)/);
    expect(() => loadConfig({ ...VALID, SIGNING_KEYS: retired })).toThrow(/SIGNING_KEYS \(malformed\).*private key/);
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64');
    expect(() => loadConfig({ ...VALID, SIGNING_KEYS: rsa })).toThrow(/not an Ed25519 private key/);
    expect(() => loadConfig({ ...VALID, SIGNING_KEYS: `${VALID.SIGNING_KEYS},${VALID.SIGNING_KEYS}` })).toThrow(/key 2/);
  });

  it('refuses the test clock in production and a queue prefix without hash tag', () => {
    expect(() => loadConfig({ ...VALID, NODE_ENV: 'production', CLOCK_MODE: 'offset' })).toThrow(/CLOCK_MODE/);
    expect(() => loadConfig({ ...VALID, QUEUE_PREFIX: 'bo' })).toThrow(/QUEUE_PREFIX/);
  });
});
