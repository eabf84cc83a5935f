import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestApp, createTestApp } from '../support/test-app';
import { TestUser, createUser, login } from '../support/fixtures';
import { TestProvider, createAction, createProvider } from '../support/registry-fixtures';
import { localDay } from '../support/dates';

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const PDF = Buffer.from('%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');

interface Rendered {
  pages: number;
  pngs: string[];
  /** The text of each page, as pdftotext reads it. */
  text: string[];
}

/** Renders a PDF to PNG pages with pdftoppm (poppler-utils) and reads each page's text with pdftotext. */
function render(pdf: Buffer, dir: string, name: string): Rendered {
  const file = join(dir, `${name}.pdf`);
  writeFileSync(file, pdf);
  execFileSync('pdftoppm', ['-png', '-r', '40', file, join(dir, name)]);
  const pngs = readdirSync(dir).filter((f) => f.startsWith(`${name}-`) && f.endsWith('.png')).sort();
  const text = pngs.map((_, i) => execFileSync('pdftotext', ['-layout', '-f', String(i + 1), '-l', String(i + 1), file, '-'], { encoding: 'utf8' }));
  return { pages: pngs.length, pngs, text };
}

/** A page that holds nothing but the footer (reference and "Page n / N"). */
function footerOnly(page: string): boolean {
  const lines = page.split('\n').map((l) => l.trim()).filter(Boolean);
  return lines.every((l) => /^Contrôle [0-9a-f-]{36} — version \d+/.test(l) || /Page \d+ \/ \d+$/.test(l));
}

async function pdfOf(t: TestApp, token: string, path: string): Promise<Buffer> {
  const res = await t.http
    .get(path)
    .set(bearer(token))
    .buffer(true)
    .parse((r, cb) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => cb(null, Buffer.concat(chunks)));
    });
  expect(res.status).toBe(200);
  expect(res.headers['content-type']).toBe('application/pdf');
  return res.body as Buffer;
}

/** The notification letter and the check export, rendered to PNG as a reader sees them (issue 9, defect 7). */
describe('documents rendered to PNG', () => {
  let t: TestApp;
  let officer: TestUser;
  let manager: TestUser;
  const tokens: Record<string, string> = {};
  let provider: TestProvider;
  let dir: string;

  beforeAll(async () => {
    t = await createTestApp();
    officer = await createUser(t.db, 'OPCO-ATLAS', ['officer']);
    manager = await createUser(t.db, 'OPCO-ATLAS', ['manager']);
    for (const u of [officer, manager]) tokens[u.id] = await login(t.http, u);
    provider = await createProvider(t.db, 'Centre de Bilans Antilles');
    await t.db.superQuery(`UPDATE providers SET region = '01' WHERE siret = $1`, [provider.siret]);
    dir = mkdtempSync(join(tmpdir(), 'bo-documents-'));
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await t?.close();
  });

  it('renders a one-page letter with French labels and an export listing evidence, actions and corrective actions', async () => {
    const actionId = await createAction(t.db, 'OPCO-ATLAS', provider, { category: 'SKILLS_ASSESSMENT' });
    const created = await t.http
      .post('/api/v1/checks')
      .set(bearer(tokens[officer.id]))
      .send({ method: 'DOCUMENTARY', providerSiret: provider.siret, actionIds: [actionId], contact: { name: 'M. Océan', email: 'qualite@antilles.test' } });
    expect(created.status).toBe(201);
    const check = created.body as { id: string; scope: { points: Record<string, { applicable: boolean }> } };
    const evidence = await t.http.post(`/api/v1/checks/${check.id}/evidence`).set(bearer(tokens[officer.id])).attach('file', PDF, 'feuilles-emargement.pdf');
    expect(evidence.status).toBe(201);
    const nc: Record<string, string> = { '2': 'MAJOR_NC', '10': 'MAJOR_NC', '11': 'MAJOR_NC' };
    for (const [code, scope] of Object.entries(check.scope.points)) {
      if (!scope.applicable) continue;
      const body = nc[code] ? { grade: nc[code], comment: `Pièce absente pour l’indicateur ${code}`, evidenceRefs: [evidence.body.id] } : { grade: 'COMPLIANT' };
      expect((await t.http.put(`/api/v1/checks/${check.id}/findings/${code}`).set(bearer(tokens[officer.id])).send(body)).status).toBe(200);
    }
    const today = localDay(0, '01'); // the provider is in Guadeloupe (above)
    const notified = await t.http.post(`/api/v1/checks/${check.id}/notify`).set(bearer(tokens[officer.id])).send({ receivedOn: today });
    expect(notified.status).toBe(200);

    const letter = render(await pdfOf(t, tokens[officer.id], `/api/v1/checks/${check.id}/notification-letter`), dir, 'letter');
    expect(letter.pages).toBe(1);
    const letterText = letter.text.join('\n').replace(/\s+/g, ' ');
    expect(letterText).toContain('Non-conformité majeure');
    expect(letterText).toContain('Page 1 / 1');
    expect(letterText).toContain('(heure locale, Guadeloupe)');
    // The deadline prints on the Guadeloupe calendar: the day the window ends there.
    const dueLocal = new Date(new Date(notified.body.procedure.responseDueAt).getTime() - 4 * 3600 * 1000).toISOString().slice(0, 10);
    const [y, m, d] = dueLocal.split('-').map(Number);
    const months = ['janvier', 'février', 'mars', 'avril', 'mai', 'juin', 'juillet', 'août', 'septembre', 'octobre', 'novembre', 'décembre'];
    expect(letterText).toContain(`jusqu’au ${d} ${months[m - 1]} ${y} inclus`);
    // Findings in reading order: 2, 10, 11 (not 10, 11, 2).
    expect(letterText.indexOf('Pièce absente pour l’indicateur 2')).toBeLessThan(letterText.indexOf('Pièce absente pour l’indicateur 10'));
    expect(letterText).not.toMatch(/MAJOR_NC|SKILLS_ASSESSMENT|DOCUMENTARY/);

    expect((await t.http.post(`/api/v1/checks/${check.id}/provider-response`).set(bearer(tokens[officer.id])).send({ text: 'Nos observations.' })).status).toBe(200);
    expect((await t.http.post(`/api/v1/checks/${check.id}/complete`).set(bearer(tokens[manager.id]))).status).toBe(200);

    const exported = render(await pdfOf(t, tokens[officer.id], `/api/v1/checks/${check.id}/export?format=pdf`), dir, 'export');
    expect(exported.pages).toBeLessThanOrEqual(3);
    expect(exported.text.filter(footerOnly)).toEqual([]);
    const exportText = exported.text.join('\n').replace(/\s+/g, ' ');
    expect(exportText).toContain(`Page ${exported.pages} / ${exported.pages}`);
    for (const label of ['Non conforme', 'Bilans de compétences', 'Sur pièces', 'Actions financées rattachées', 'Conforme', 'Non-conformité majeure', 'Terminé']) {
      expect(exportText).toContain(label);
    }
    expect(exportText).not.toMatch(/NON_COMPLIANT|SKILLS_ASSESSMENT|MAJOR_NC|LINKED_ACTIONS|\b\d{4}-\d{2}-\d{2}\b/);
    // Evidence (name, size, hash), the linked action and the corrective actions are listed.
    expect(exportText).toContain('feuilles-emargement.pdf');
    expect(exportText).toContain(evidence.body.sha256.slice(0, 20));
    expect(exportText).toMatch(/\d+ o/);
    const [action] = await t.db.superQuery<{ external_ref: string }>(`SELECT external_ref FROM funded_actions WHERE id = $1`, [actionId]);
    expect(exportText).toContain(action.external_ref);
    expect(exportText).toContain('Actions correctives');
    expect(exportText).toContain('En cours');
    const firstIndicator2 = exportText.indexOf('Pièce absente pour l’indicateur 2');
    expect(firstIndicator2).toBeGreaterThan(-1);
    expect(firstIndicator2).toBeLessThan(exportText.indexOf('Pièce absente pour l’indicateur 10'));

    // The JSON export speaks as the API does: camelCase and numbers.
    const json = await t.http.get(`/api/v1/checks/${check.id}/export?format=json`).set(bearer(tokens[officer.id]));
    expect(json.status).toBe(200);
    expect(json.body.evidence[0]).toMatchObject({ fileName: 'feuilles-emargement.pdf', size: PDF.length, mediaType: 'application/pdf' });
    expect(json.body.responses[0]).toMatchObject({ text: 'Nos observations.', late: false });
    expect(json.body.responses[0].receivedAt).toEqual(expect.any(String));
    expect(json.body.correctiveActions).toHaveLength(3);
    expect(json.body.actions[0]).toMatchObject({ id: actionId, externalRef: action.external_ref, category: 'SKILLS_ASSESSMENT' });
    expect(JSON.stringify(json.body)).not.toMatch(/"[a-z]+_[a-z_]+":/);
  });
});
