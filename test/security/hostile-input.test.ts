import { createHash } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { TestApp, createTestApp } from '../support/test-app';
import { TestUser, createUser, login } from '../support/fixtures';
import { actionBody } from '../support/actions-fixtures';

/**
 * Probe: hostile input that answered 500 (or a raw, URL-echoing 414), and refused uploads left in
 * the blob store. Each now answers a 4xx problem+json with a code, and nothing refused stays on disk.
 */
const problem = (res: { status: number; headers: Record<string, string>; body: { code?: string } }, status: number) => {
  expect({ status: res.status, type: res.headers['content-type']?.split(';')[0], hasCode: typeof res.body.code === 'string' }).toEqual({
    status,
    type: 'application/problem+json',
    hasCode: true,
  });
};

/** Every file under the blob store (content-addressed names and temporary files). */
function blobFiles(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else out.push(name);
    }
  };
  walk(process.env.BLOB_DIR!);
  return out;
}

/** A ZIP with stored (uncompressed) entries. */
function zip(entries: Record<string, string>): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, text] of Object.entries(entries)) {
    const data = Buffer.from(text);
    const fileName = Buffer.from(name);
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(fileName.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(fileName.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, fileName, data);
    centrals.push(central, fileName);
    offset += 30 + fileName.length + data.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(entries).length, 8);
  end.writeUInt16LE(Object.keys(entries).length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

describe('security: hostile input (issue 8 item 8)', () => {
  let t: TestApp;
  let officer: TestUser;
  let admin: TestUser;
  let token: string;
  let checkId: string;
  const auth = () => ({ authorization: `Bearer ${token}` });

  beforeAll(async () => {
    t = await createTestApp();
    officer = await createUser(t.db, 'OPCO-ATLAS', ['officer']);
    admin = await createUser(t.db, 'OPCO-ATLAS', ['admin']);
    token = await login(t.http, officer);
    const check = await t.http.post('/api/v1/checks').set(auth()).send({ method: 'DOCUMENTARY', providerSiret: '12345678901234' });
    expect(check.status).toBe(201);
    checkId = check.body.id;
  });
  afterAll(async () => {
    await t?.close();
  });

  describe('a NUL byte in any string', () => {
    it('in a JSON body (value or key)', async () => {
      const res = await t.http.post('/api/v1/frameworks').set(auth()).send({ code: 'NUL-GRID', title: 'Grille\u0000', points: [{ code: 'P1', title: 'Point' }] });
      problem(res, 400);
      expect(res.body.errors).toEqual([expect.objectContaining({ field: 'body.title' })]);
      problem(await t.http.patch(`/api/v1/checks/${checkId}`).set(auth()).send({ 'method\u0000': 'ON_SITE' }), 400);
    });

    it('in the query and in the path', async () => {
      problem(await t.http.get('/api/v1/providers?q=abc%00def').set(auth()), 400);
      problem(await t.http.get('/api/v1/frameworks/RNQ%00/versions/1').set(auth()), 400);
    });

    it('in a multipart field', async () => {
      const res = await t.http.post(`/api/v1/checks/${checkId}/evidence`).set(auth()).field('description', 'a\u0000b').attach('file', Buffer.from('%PDF-1.4\n%%EOF\n'), 'preuve.pdf');
      problem(res, 400);
    });
  });

  it('a cursor that decodes to the wrong types', async () => {
    const cursor = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const adminToken = await login(t.http, admin);
    for (const [path, bad] of [
      ['/api/v1/audit', ['not a number']],
      ['/api/v1/audit', [{ $gt: 1 }]],
      ['/api/v1/checks', [12, 'not-a-uuid']],
      ['/api/v1/checks', ['2026-13-45T99:00:00Z', '00000000-0000-4000-8000-000000000000']],
      ['/api/v1/users', [42]],
    ] as const) {
      const res = await t.http.get(path).query({ cursor: cursor(bad) }).set('authorization', `Bearer ${path.includes('checks') ? token : adminToken}`);
      problem(res, 400);
      expect(res.body.errors).toEqual([expect.objectContaining({ field: 'cursor' })]);
    }
  });

  it('integers beyond range in paths and bodies', async () => {
    for (const path of ['/api/v1/frameworks/RNQ/versions/99999999999', `/api/v1/checks/${checkId}/versions/99999999999`, '/api/v1/frameworks/RNQ/versions/0']) {
      const res = await t.http.get(path).set(auth());
      problem(res, 400);
    }
    const action = await t.http.post('/api/v1/actions').set(auth()).send(actionBody({ trainees: 99999999999 }));
    problem(action, 400);
  });

  it('multipart without a boundary, or truncated', async () => {
    const noBoundary = await t.http.post(`/api/v1/checks/${checkId}/evidence`).set(auth()).set('content-type', 'multipart/form-data').send('--x\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n\r\n%PDF-1.4\r\n--x--\r\n');
    problem(noBoundary, 400);
    const truncated = await t.http
      .post(`/api/v1/checks/${checkId}/evidence`)
      .set(auth())
      .set('content-type', 'multipart/form-data; boundary=XyZ')
      .send('--XyZ\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4\n% cut here');
    problem(truncated, 400);
    expect(blobFiles().filter((f) => f.length !== 64)).toEqual([]);
  });

  it('a 5,000-character path answers 414 problem+json without echoing it', async () => {
    for (const path of [`/api/v1/checks/${'a'.repeat(5000)}`, `/${'b'.repeat(5000)}`, `/api/v1/providers?q=${'c'.repeat(5000)}`]) {
      const res = await t.http.get(path).set(auth());
      problem(res, 414);
      expect(res.body.code).toBe('REQUEST.URI_TOO_LONG');
      expect(JSON.stringify(res.body)).not.toMatch(/(a{50}|b{50}|c{50})/);
    }
  });

  describe('uploads', () => {
    const upload = (bytes: Buffer, name: string) => t.http.post(`/api/v1/checks/${checkId}/evidence`).set(auth()).attach('file', bytes, name);
    const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

    it('leaves nothing refused in the blob store (415 and 422)', async () => {
      const exe = Buffer.concat([Buffer.from('MZ\x90\x00\x03\x00\x00\x00\x04\x00', 'latin1'), Buffer.alloc(5000, 1)]);
      const empty = Buffer.alloc(0);
      const refused = [
        { bytes: exe, name: 'facture.pdf', status: 415 },
        { bytes: empty, name: 'vide.pdf', status: 422 },
      ];
      for (const r of refused) {
        problem(await upload(r.bytes, r.name), r.status);
        expect(blobFiles()).not.toContain(sha(r.bytes));
      }
      const platform = await createUser(t.db, 'PLATFORM', ['platform_admin']);
      const badList = Buffer.from('not;the;public;list\n1;2;3;4\n');
      const list = await t.http.post('/api/v1/providers/imports').set('authorization', `Bearer ${await login(t.http, platform)}`).attach('file', badList, 'liste.csv');
      problem(list, 422);
      expect(blobFiles()).not.toContain(sha(badList));
      // No temporary file left behind either.
      expect(blobFiles().filter((f) => f.length !== 64)).toEqual([]);
    });

    it('refuses macro-enabled Office files and OLE containers', async () => {
      const macroZip = zip({ '[Content_Types].xml': '<Types/>', 'xl/workbook.xml': '<workbook/>', 'xl/vbaProject.bin': 'Attribute VB_Name' });
      const ole = Buffer.concat([Buffer.from('d0cf11e0a1b11ae1', 'hex'), Buffer.alloc(4096, 0)]);
      for (const [bytes, name] of [
        [macroZip, 'tableau.xlsx'],
        [ole, 'lettre.doc'],
      ] as const) {
        const res = await upload(bytes, name);
        problem(res, 415);
        expect(blobFiles()).not.toContain(sha(bytes));
      }
      // A plain ZIP without active content is still evidence.
      expect((await upload(zip({ 'preuves/emargement.txt': 'Dupont;Marie' }), 'preuves.zip')).status).toBe(201);
    });

    it('strips bidirectional control characters from file names', async () => {
      const res = await upload(Buffer.from('%PDF-1.4\n% preuve bidi\n%%EOF\n'), 'facture\u202Efdp.exe');
      expect(res.status).toBe(201);
      expect(res.body.fileName).toBe('facturefdp.exe');
    });
  });
});
