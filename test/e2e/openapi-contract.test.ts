import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { buildOfflineOpenApiDocument } from '../../apps/api/src/openapi/offline-document';
import { TestApp, createTestApp } from '../support/test-app';
import { TEST_PASSWORD, TestUser, createUser, login } from '../support/fixtures';
import { TestProvider, createAction, createProvider } from '../support/registry-fixtures';

/**
 * The API contract that the web UI's generated types (apps/web/src/api/schema.d.ts) rest on:
 * every operation documents its success response with a schema and its errors as problem+json,
 * and real answers match the documented schemas. How to fix a failure: docs/api.md, "Response
 * schemas".
 */

interface Schema {
  $ref?: string;
  type?: string;
  format?: string;
  nullable?: boolean;
  enum?: unknown[];
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  oneOf?: Schema[];
  allOf?: Schema[];
}
interface Operation {
  operationId?: string;
  responses?: Record<string, { description?: string; content?: Record<string, { schema?: Schema }>; $ref?: string }>;
}
interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch'];
const PROBLEM = 'application/problem+json';

/** Every contract breach of the document, one line each, saying which operation lacks what and how to fix it. */
export function contractViolations(doc: OpenApiDocument): string[] {
  const out: string[] = [];
  const refExists = (ref: string) => doc.components.schemas[ref.replace('#/components/schemas/', '')] !== undefined;
  const walkRefs = (where: string, schema: unknown): void => {
    if (schema === null || typeof schema !== 'object') return;
    for (const [key, value] of Object.entries(schema)) {
      if (key === '$ref' && typeof value === 'string' && !refExists(value)) out.push(`${where}: $ref ${value} names no schema of components.schemas`);
      else walkRefs(where, value);
    }
  };
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      const name = `${method.toUpperCase()} ${path} (${op.operationId ?? 'no operationId'})`;
      const responses = op.responses ?? {};
      const success = Object.keys(responses).filter((s) => /^2\d\d$/.test(s));
      if (success.length === 0) {
        out.push(`${name}: no 2xx response documented. Add @ApiOkResponse({ type: SomeDto }) (or @ApiCreatedResponse / @ApiAcceptedResponse, @ApiNoContentResponse for 204) to the controller method; see docs/api.md "Response schemas"`);
      }
      for (const status of success) {
        const content = responses[status].content;
        if (status === '204') {
          if (content) out.push(`${name}: 204 documents a body; a 204 has none`);
          continue;
        }
        const schemas = Object.entries(content ?? {});
        if (schemas.length === 0) {
          out.push(`${name}: ${status} response has no schema. Give the decorator a type: @ApiOkResponse({ type: SomeDto }) (a list: { type: [SomeDto] }; a file: { content: binaryContent('application/pdf') }); see docs/api.md "Response schemas"`);
        }
        for (const [mediaType, media] of schemas) {
          const schema = media.schema;
          if (!schema || (!schema.$ref && !schema.type && !schema.oneOf && !schema.allOf)) {
            out.push(`${name}: ${status} ${mediaType} has an empty schema. Give the decorator a DTO class (type: SomeDto)`);
          } else if (schema.type === 'object' && !schema.properties && !schema.additionalProperties) {
            out.push(`${name}: ${status} ${mediaType} is a bare object. Describe it with a response DTO class`);
          }
        }
      }
      const fallback = responses.default?.content?.[PROBLEM]?.schema?.$ref;
      if (fallback !== '#/components/schemas/ProblemDto') out.push(`${name}: its default (error) response is not problem+json ProblemDto (documentProblems in apps/api/src/openapi/openapi-document.ts adds it)`);
      for (const [status, response] of Object.entries(responses)) {
        if (!/^[45]\d\d$/.test(status) || path.includes('/health/')) continue;
        if (response.content?.[PROBLEM]?.schema?.$ref !== '#/components/schemas/ProblemDto') out.push(`${name}: ${status} response is not problem+json ProblemDto`);
      }
      walkRefs(name, op);
    }
  }
  return out;
}

/** Checks a value against a schema of the document (the subset @nestjs/swagger emits); lists mismatches with their path. */
function mismatches(doc: OpenApiDocument, schema: Schema | undefined, value: unknown, at = '$'): string[] {
  if (!schema) return [];
  if (schema.$ref) return mismatches(doc, doc.components.schemas[schema.$ref.replace('#/components/schemas/', '')], value, at);
  if (value === null) return schema.nullable ? [] : [`${at}: null, not nullable`];
  if (schema.oneOf) return schema.oneOf.some((s) => mismatches(doc, s, value, at).length === 0) ? [] : [`${at}: matches none of oneOf`];
  if (schema.allOf) return schema.allOf.flatMap((s) => mismatches(doc, s, value, at));
  if (schema.enum && !schema.enum.includes(value) && schema.type !== 'array') return [`${at}: ${JSON.stringify(value)} not in enum ${JSON.stringify(schema.enum)}`];
  switch (schema.type) {
    case 'string':
      return typeof value === 'string' ? [] : [`${at}: ${typeof value}, expected string`];
    case 'number':
      return typeof value === 'number' ? [] : [`${at}: ${typeof value}, expected number`];
    case 'integer':
      return Number.isInteger(value) ? [] : [`${at}: ${JSON.stringify(value)}, expected integer`];
    case 'boolean':
      return typeof value === 'boolean' ? [] : [`${at}: ${typeof value}, expected boolean`];
    case 'array':
      return Array.isArray(value) ? value.flatMap((v, i) => mismatches(doc, schema.items, v, `${at}[${i}]`)) : [`${at}: expected array`];
    default: {
      if (typeof value !== 'object' || Array.isArray(value)) return schema.type === 'object' || schema.properties ? [`${at}: expected object`] : [];
      const record = value as Record<string, unknown>;
      const out: string[] = [];
      for (const key of schema.required ?? []) if (!(key in record)) out.push(`${at}.${key}: required, missing`);
      for (const [key, v] of Object.entries(record)) {
        const property = schema.properties?.[key];
        if (property) out.push(...mismatches(doc, property, v, `${at}.${key}`));
        else if (schema.properties && schema.additionalProperties === undefined) out.push(`${at}.${key}: not documented`);
        else if (typeof schema.additionalProperties === 'object') out.push(...mismatches(doc, schema.additionalProperties, v, `${at}.${key}`));
      }
      return out;
    }
  }
}

describe('OpenAPI contract', () => {
  let t: TestApp;
  let doc: OpenApiDocument;
  let officer: TestUser;
  let manager: TestUser;
  let admin: TestUser;
  let provider: TestProvider;
  const tokens: Record<string, string> = {};
  const as = (u: TestUser) => ({ authorization: `Bearer ${tokens[u.id]}` });

  beforeAll(async () => {
    t = await createTestApp();
    doc = (await t.http.get('/api/docs-json').expect(200)).body as OpenApiDocument;
    officer = await createUser(t.db, 'OPCO-ATLAS', ['officer']);
    manager = await createUser(t.db, 'OPCO-ATLAS', ['manager']);
    admin = await createUser(t.db, 'OPCO-ATLAS', ['admin']);
    for (const u of [officer, manager, admin]) tokens[u.id] = await login(t.http, u);
    provider = await createProvider(t.db);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('documents a 2xx response schema and problem+json errors for every operation', () => {
    const operations = Object.values(doc.paths).flatMap((item) => METHODS.filter((m) => item[m]));
    expect(operations.length).toBeGreaterThanOrEqual(69);
    expect(contractViolations(doc)).toEqual([]);
  });

  it('has one class per schema name (two DTO classes of the same name would share, and break, one schema)', () => {
    const root = join(__dirname, '..', '..', 'apps', 'api', 'src');
    const files = (readdirSync(root, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts'));
    const where = new Map<string, string[]>();
    for (const file of files) {
      for (const m of readFileSync(join(root, file), 'utf8').matchAll(/^export (?:abstract )?class (\w+)/gm)) where.set(m[1], [...(where.get(m[1]) ?? []), file]);
    }
    expect([...where].filter(([, at]) => at.length > 1).map(([name, at]) => `${name}: ${at.join(', ')}`)).toEqual([]);
  });

  it('names the operation and the fix when one lacks its 2xx schema', () => {
    const broken: OpenApiDocument = {
      components: { schemas: {} },
      paths: { '/api/v1/things': { get: { operationId: 'ThingsController_list', responses: { '401': { description: 'x' } } }, post: { operationId: 'ThingsController_create', responses: { '201': { description: 'created' } } } } },
    };
    const violations = contractViolations(broken);
    expect(violations).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^GET \/api\/v1\/things \(ThingsController_list\): no 2xx response documented\. Add @ApiOkResponse/),
        expect.stringMatching(/^POST \/api\/v1\/things \(ThingsController_create\): 201 response has no schema\. Give the decorator a type/),
      ]),
    );
  });

  it('is the document that npm run api:types builds without a database', async () => {
    const offline = JSON.parse(JSON.stringify(await buildOfflineOpenApiDocument())) as OpenApiDocument;
    expect(offline.paths).toEqual(doc.paths);
    expect(offline.components).toEqual(doc.components);
  });

  /** Calls the API and checks the JSON body against the documented schema of that operation and status. */
  async function expectDocumented(method: 'get' | 'post' | 'put' | 'patch', path: string, concrete: string, user: TestUser, body?: object) {
    let call = t.http[method](concrete).set(as(user));
    if (body) call = call.send(body);
    const res = await call;
    const response = doc.paths[path]?.[method]?.responses?.[String(res.status)] ?? doc.paths[path]?.[method]?.responses?.default;
    const mediaType = res.status >= 400 ? PROBLEM : 'application/json';
    const schema = response?.content?.[mediaType]?.schema;
    expect({ call: `${method.toUpperCase()} ${concrete}`, status: res.status, documented: schema !== undefined }).toEqual({ call: `${method.toUpperCase()} ${concrete}`, status: res.status, documented: true });
    expect({ call: `${method.toUpperCase()} ${concrete}`, mismatches: mismatches(doc, schema, res.body) }).toEqual({ call: `${method.toUpperCase()} ${concrete}`, mismatches: [] });
    return res;
  }

  it('answers what it documents (real calls checked against their response schemas)', async () => {
    await expectDocumented('get', '/health/live', '/health/live', officer);
    await expectDocumented('get', '/health/ready', '/health/ready', officer);
    await expectDocumented('post', '/api/v1/auth/login', '/api/v1/auth/login', officer, { email: officer.email, password: TEST_PASSWORD });
    await expectDocumented('get', '/api/v1/me', '/api/v1/me', officer);
    await expectDocumented('get', '/api/v1/users', '/api/v1/users', admin);
    await expectDocumented('get', '/api/v1/organisations', '/api/v1/organisations', officer);
    await expectDocumented('get', '/api/v1/frameworks', '/api/v1/frameworks', officer);
    await expectDocumented('get', '/api/v1/frameworks/{code}/versions/{version}', '/api/v1/frameworks/RNQ/versions/1', officer);
    await expectDocumented('get', '/api/v1/providers', `/api/v1/providers?q=${provider.siret}`, officer);
    await expectDocumented('get', '/api/v1/providers/{siret}', `/api/v1/providers/${provider.siret}`, officer);
    await expectDocumented('get', '/api/v1/providers/{siret}/funding-check', `/api/v1/providers/${provider.siret}/funding-check?category=TRAINING`, officer);
    const actionId = await createAction(t.db, 'OPCO-ATLAS', provider);
    await expectDocumented('get', '/api/v1/actions', '/api/v1/actions', officer);
    await expectDocumented('get', '/api/v1/actions/{id}', `/api/v1/actions/${actionId}`, officer);
    await expectDocumented('get', '/api/v1/coverage/uncertified', '/api/v1/coverage/uncertified', officer);
    const created = await expectDocumented('post', '/api/v1/checks', '/api/v1/checks', officer, { method: 'DOCUMENTARY', providerSiret: provider.siret, actionIds: [actionId] });
    const id = created.body.id as string;
    await expectDocumented('get', '/api/v1/checks', '/api/v1/checks', officer);
    await expectDocumented('get', '/api/v1/checks/{id}', `/api/v1/checks/${id}`, officer);
    await expectDocumented('put', '/api/v1/checks/{id}/findings/{pointCode}', `/api/v1/checks/${id}/findings/1`, officer, { grade: 'COMPLIANT' });
    await expectDocumented('post', '/api/v1/checks/{id}/evidence/records', `/api/v1/checks/${id}/evidence/records`, officer, { reference: 'Dossier 42' });
    await expectDocumented('get', '/api/v1/checks/{id}/evidence', `/api/v1/checks/${id}/evidence`, officer);
    await expectDocumented('get', '/api/v1/checks/{id}/corrective-actions', `/api/v1/checks/${id}/corrective-actions`, manager);
    await expectDocumented('get', '/api/v1/checks/{id}/versions/{n}', `/api/v1/checks/${id}/versions/1`, officer);
    await expectDocumented('get', '/api/v1/audit', '/api/v1/audit', admin);
    await expectDocumented('get', '/api/v1/audit/verify', '/api/v1/audit/verify', admin);
    await expectDocumented('get', '/api/v1/api-keys', '/api/v1/api-keys', admin);
    await expectDocumented('get', '/api/v1/price-references', '/api/v1/price-references', officer);
    await expectDocumented('get', '/api/v1/anomalies', '/api/v1/anomalies', officer);
    await expectDocumented('get', '/api/v1/anomalies/coverage', '/api/v1/anomalies/coverage', officer);
  });

  it('answers errors as the documented ProblemDto, field errors with their constraint', async () => {
    const res = await expectDocumented('post', '/api/v1/checks', '/api/v1/checks', officer, { method: 'PHONE', providerSiret: '123' });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('REQUEST.VALIDATION');
    expect(res.body.errors).toEqual(
      expect.arrayContaining([
        { field: 'providerSiret', message: expect.any(String), constraint: 'matches' },
        { field: 'method', message: expect.any(String), constraint: 'isIn' },
      ]),
    );
    await expectDocumented('get', '/api/v1/checks/{id}', '/api/v1/checks/00000000-0000-4000-8000-000000000000', officer);
  });
});
