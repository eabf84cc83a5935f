import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { API_TYPES_FILE, renderApiTypes } from './api-types';
import { buildOfflineOpenApiDocument } from './offline-document';

describe('generated API types (apps/web/src/api/schema.d.ts)', () => {
  it('are up to date with the OpenAPI document: run `npm run api:types` and commit the file when this fails', async () => {
    const committed = readFileSync(join(__dirname, '..', '..', '..', '..', API_TYPES_FILE), 'utf8');
    const fresh = await renderApiTypes(await buildOfflineOpenApiDocument());
    expect(committed === fresh).toBe(true);
  });

  it('type every success answer: no operation answers `content?: never` on a 200/201/202', async () => {
    const types = await renderApiTypes(await buildOfflineOpenApiDocument());
    // A documented schema renders as `content: { "application/json": ... }`; a missing one as `content?: never`.
    const untyped = [...types.matchAll(/\n {12}(20[012]): \{\n {16}headers: \{\n[^}]*\};\n {16}content\?: never;/g)];
    expect(untyped.length).toBe(0);
    expect(types).toContain('ProblemDto');
  });
});
