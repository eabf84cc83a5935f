import 'reflect-metadata';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { getMetadataStorage } from 'class-validator';
import { ERROR_STATUS } from '@bo/core';
import { CONSTRAINT_MESSAGES_FR, ERROR_MESSAGES_FR } from '../../../web/src/i18n/errors.fr';

/** Every class-validator constraint name declared by the API's request DTOs and query classes. */
async function declaredConstraints(): Promise<Set<string>> {
  const root = join(__dirname, '..');
  for (const dir of readdirSync(root, { withFileTypes: true })) {
    if (!dir.isDirectory()) continue;
    for (const file of readdirSync(join(root, dir.name))) {
      if (/\.(dto|controller)\.ts$/.test(file)) await import(join(root, dir.name, file));
    }
  }
  const storage = getMetadataStorage() as unknown as {
    validationMetadatas: Map<unknown, { type: string; constraintCls?: new () => unknown }[]>;
    getTargetValidatorConstraints(cls: unknown): { name: string }[];
  };
  const names = new Set<string>(['whitelistValidation', 'unknownValue']);
  for (const metadatas of storage.validationMetadatas.values()) {
    for (const m of metadatas) {
      if (m.type === 'customValidation' && m.constraintCls) {
        for (const c of storage.getTargetValidatorConstraints(m.constraintCls)) names.add(c.name);
      } else if (m.type === 'nestedValidation' || m.type === 'isDefined') names.add(m.type);
    }
  }
  return names;
}

/**
 * The web UI's French error catalogue (apps/web/src/i18n/errors.fr.ts) against the API's own
 * sources: the code -> status map and the validation constraints of the request DTOs.
 */
describe('French error catalogue of the web UI', () => {
  it('has a French message for every error code of ERROR_STATUS (libs/core)', () => {
    const catalogue = ERROR_MESSAGES_FR as Readonly<Record<string, string>>;
    const missing = Object.keys(ERROR_STATUS).filter((code) => !catalogue[code]?.trim());
    expect(missing).toEqual([]); // add the French message of each code listed here to ERROR_MESSAGES_FR
    expect(Object.keys(catalogue).filter((code) => !(code in ERROR_STATUS))).toEqual([]);
  });

  it('has a French message for every validation constraint the API declares', async () => {
    const names = await declaredConstraints();
    expect(names.size).toBeGreaterThan(15);
    expect([...names].filter((name) => !CONSTRAINT_MESSAGES_FR[name]).sort()).toEqual([]);
  });
});
