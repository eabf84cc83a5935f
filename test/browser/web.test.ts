import { createHmac } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BrowserContext, Page } from 'playwright-core';
import { TestApp } from '../support/test-app';
import { TestUser, createUser, login, orgId } from '../support/fixtures';
import { actionBody, insertProvider, newSiren, observe, siretOf } from '../support/actions-fixtures';
import { BrowserTest, screenshot, seriousAxeViolations, signOut, startBrowserTest } from '../support/browser';
import { webDistDir } from '../../apps/api/src/platform/web-ui';

// The web UI (react-admin) in headless Debian Chromium against the composed API, which serves the
// built UI at `/` (test/support/browser.ts). BO_SCREENSHOTS=1 writes one screenshot per screen to
// docs/screenshots/.

jest.setTimeout(300_000);

/** Today in Europe/Paris as YYYY-MM-DD (what a date input holds). */
const todayIso = () => new Date().toLocaleDateString('sv-SE', { timeZone: 'Europe/Paris' });

/** `81234567600124` as the UI shows it: `812 345 676 00124`. */
const grouped = (siret: string) => `${siret.slice(0, 3)} ${siret.slice(3, 6)} ${siret.slice(6, 9)} ${siret.slice(9)}`;

/** The same access token with its expiry in the past, signed with the API's key: a truly expired token. */
function expired(token: string): string {
  const [header, payload] = token.split('.');
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { exp: number; iat: number };
  const now = Math.floor(Date.now() / 1000);
  const body = Buffer.from(JSON.stringify({ ...claims, iat: now - 120, exp: now - 60 })).toString('base64url');
  const signature = createHmac('sha256', process.env.JWT_SECRET as string).update(`${header}.${body}`).digest('base64url');
  return `${header}.${body}.${signature}`;
}

describe('web UI (browser)', () => {
  let w: BrowserTest;
  let t: TestApp;
  let base: string;
  let page: Page;
  let officer: TestUser;
  let manager: TestUser;
  let admin: TestUser;
  let siret: string;
  let actionId: string;
  let checkId: string;
  let importId: string;
  const cspViolations: string[] = [];
  let anomalyId: string;

  /**
   * A usable price group (8 TRAINING actions of 3 funders and 4 providers, 10 hours, 1 trainee, so
   * the unit price is price / 10): units 20..26 and one at 100 EUR/h, Atlas's, with the page's
   * provider: extreme (docs/pricing.md; the same figures as test/e2e/pricing.test.ts).
   */
  async function seedPriceGroup(): Promise<void> {
    const [atlas, cdc, ft] = await Promise.all([orgId(t.db, 'OPCO-ATLAS'), orgId(t.db, 'CDC'), orgId(t.db, 'FRANCE-TRAVAIL')]);
    const others = Array.from({ length: 3 }, () => siretOf(newSiren()));
    const funders = [cdc, cdc, ft, atlas, ft, atlas, cdc, atlas];
    const providers = [others[0], others[0], others[0], others[1], others[1], others[2], others[2], siret];
    const units = [20, 21, 22, 23, 24, 25, 26, 100];
    for (let i = 0; i < 8; i++) {
      await t.db.superQuery(
        `INSERT INTO funded_actions (organisation_id, external_ref, provider_siret, category, certification_code, modality, region,
                start_date, end_date, hours_per_trainee, trainees, price_excl_vat, amount_funded)
         VALUES ($1, $2, $3, 'TRAINING', 'RNCP990001', 'ON_SITE', '84', '2025-03-01', '2025-03-01', 10, 1, $4, $4)`,
        [funders[i], i === 7 ? 'WEB-PRICE-OUTLIER' : `WEB-PRICE-${i}`, providers[i], units[i] * 10],
      );
    }
  }

  beforeAll(async () => {
    w = await startBrowserTest();
    ({ t, base } = w);

    officer = await createUser(t.db, 'OPCO-ATLAS', ['officer']);
    manager = await createUser(t.db, 'OPCO-ATLAS', ['manager']);
    admin = await createUser(t.db, 'OPCO-ATLAS', ['admin']);
    siret = siretOf(newSiren());
    const nda = await insertProvider(t.db, { siret, name: 'Organisme Formation Navigateur' });
    await observe(t.db, { nda, certified: true, observedOn: '2024-01-10' });
    const token = await login(t.http, officer);
    const action = await t.http.post('/api/v1/actions').set('authorization', `Bearer ${token}`).send(actionBody({ providerSiret: siret, externalRef: 'WEB-ACTION-1' }));
    expect(action.status).toBe(201);
    expect(action.body.coverage).toBe('CERTIFIED');
    actionId = action.body.id;
    // The manager's own note on the provider (source OWN_NOTE): shown to Atlas only, labelled as such.
    const note = await t.http
      .put(`/api/v1/providers/${siret}/certifications/TRAINING`)
      .set('authorization', `Bearer ${await login(t.http, manager)}`)
      .send({ certified: true, observedOn: '2024-02-01', certifier: 'Certificateur interne' });
    expect(note.status).toBe(200);
    await seedPriceGroup();

    page = await w.newPage({ width: 1280, height: 900 });
    // Every Content-Security-Policy violation of the session, as the browser reports it.
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
    });
    await page.context().addInitScript(
      "document.addEventListener('securitypolicyviolation', (e) => console.error('Content Security Policy violation: ' + e.violatedDirective + ' ' + e.blockedURI));",
    );
  });

  afterAll(async () => {
    await w?.close();
  });

  it('serves the UI at / and page paths, without source maps; unknown API routes stay problem+json 404', async () => {
    const home = await fetch(`${base}/`, { headers: { accept: 'text/html' } });
    expect(home.status).toBe(200);
    expect(home.headers.get('content-security-policy')).toMatch(/script-src 'self'(;|$)/);
    const html = await home.text();
    expect(html).toContain('<div id="root">');
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/); // no inline script (CSP)
    const deep = await fetch(`${base}/controles/00000000-0000-4000-8000-000000000000/show`, { headers: { accept: 'text/html' } });
    expect(deep.status).toBe(200);
    expect(deep.headers.get('content-type')).toContain('text/html');
    const api = await fetch(`${base}/api/v1/nothing-here`, { headers: { accept: 'text/html' } });
    expect(api.status).toBe(404);
    expect(api.headers.get('content-type')).toContain('application/problem+json');
    const dist = webDistDir() as string;
    const assets = readdirSync(join(dist, 'assets'));
    expect(assets.filter((f) => f.endsWith('.map'))).toEqual([]);
    const entry = /src="\/assets\/([^"]+\.js)"/.exec(html)?.[1] as string;
    expect(readFileSync(join(dist, 'assets', entry), 'utf8')).not.toContain('sourceMappingURL');
    expect((await fetch(`${base}/assets/${entry}.map`)).status).toBe(404);
    // One chunk per screen: the entry does not hold the check screen.
    expect(assets.some((f) => /^CheckShow-.*\.js$/.test(f))).toBe(true);
  });

  it('refuses a wrong password with a French message', async () => {
    await page.goto(`${base}/`);
    await page.getByRole('heading', { name: 'Connexion' }).waitFor();
    expect(await page.title()).toBe('Connexion — Back office qualité');
    await page.getByLabel('Adresse e-mail').fill(officer.email);
    await page.getByLabel('Mot de passe').fill('not the password');
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').textContent()).toBe('Adresse e-mail ou mot de passe incorrect.');
  });

  it('officer: logs in, finds the provider, runs the funding check', async () => {
    await w.signIn(page, officer);
    expect(await page.locator('header').textContent()).toContain('Test officer');
    expect(await page.getByTestId('organisation').textContent()).toBe('Atlas');
    expect(await page.title()).toBe('Tableau de bord — Back office qualité');
    await page.getByTestId('funded-by-coverage').waitFor();
    // Navigation marks the current screen.
    expect(await page.getByRole('menuitem', { name: 'Tableau de bord' }).getAttribute('aria-current')).toBe('page');

    await page.getByRole('menuitem', { name: 'Organismes' }).click();
    await page.getByRole('heading', { level: 1, name: 'Organismes' }).waitFor();
    expect(await page.getByRole('menuitem', { name: 'Organismes' }).getAttribute('aria-current')).toBe('page');
    await page.getByPlaceholder('Nom, SIRET, SIREN ou NDA').fill(siret);
    const row = page.locator('tr', { hasText: 'Organisme Formation Navigateur' });
    await row.waitFor();
    expect(await row.textContent()).toContain(grouped(siret));
    expect(await page.getByTestId('result-count').textContent()).toMatch(/^Organismes 1 à 1$|^1 organisme$/);
    await row.click();
    await page.getByRole('heading', { level: 1, name: 'Organisme Formation Navigateur' }).waitFor();
    expect(await page.getByTestId('breadcrumbs').textContent()).toContain('Organismes');
    await page.getByTestId('certification-history').waitFor();
    expect(await page.getByTestId('certification-history').textContent()).toContain('10/01/2024');

    const panel = page.getByTestId('funding-check');
    await panel.getByLabel('Date de la décision de financement').fill('2025-03-01');
    await panel.getByRole('button', { name: 'Vérifier' }).click();
    await panel.getByTestId('funding-result').waitFor();
    expect(await panel.getByTestId('coverage').textContent()).toBe('Certifié');
    expect(await panel.getByTestId('funding-result').textContent()).toContain('01/03/2025');
    expect(await panel.getByTestId('exemptions').textContent()).toBe('Aucune');
    expect(await panel.getByTestId('blocked-payments').textContent()).toBe('Aucun');
    expect(await panel.getByTestId('major-nc').textContent()).toBe('Aucune');
    // The organisation's own note, beside the shared state and labelled as not shared.
    expect(await panel.getByTestId('own-note').textContent()).toContain('Note interne de votre organisme');
    expect(await panel.getByTestId('own-note').textContent()).toContain('non partagée');
    expect(await page.getByTestId('own-note').count()).toBeGreaterThanOrEqual(2);
    // The caller's funded actions with this provider, with French money.
    expect(await page.locator('section', { hasText: 'Mes actions financées' }).getByText('WEB-ACTION-1').count()).toBe(1);
    expect(await page.locator('section', { hasText: 'Mes actions financées' }).textContent()).toMatch(/2\s000,00\s€/);
  });

  it('officer: imports funded actions with a bad line and sees it', async () => {
    await page.getByRole('menuitem', { name: 'Import d’actions' }).click();
    await page.getByRole('heading', { level: 1, name: 'Import d’actions financées' }).waitFor();
    const header = 'externalRef,providerSiret,providerNda,category,certificationCode,formacode,modality,region,fundingDecisionDate,startDate,endDate,hoursPerTrainee,trainees,priceExclVat,amountFunded,branchIdcc';
    const csv = [header, `WEB-IMPORT-1,${siret},,TRAINING,RNCP37098,,ON_SITE,84,2025-03-01,2025-04-01,2025-06-30,35,8,4200,1234.5,`, 'WEB-IMPORT-2,123,,TRAINING,RNCP37098,,ON_SITE,84,2025-03-01,2025-04-01,,35,8,4200,4200,', ''].join('\n');
    await page.getByTestId('import-file').setInputFiles({ name: 'actions.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.getByRole('button', { name: 'Importer', exact: true }).click();
    await page.getByTestId('import-state').filter({ hasText: 'Terminé' }).waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('accepted').textContent()).toBe('1');
    expect(await page.getByTestId('rejected').textContent()).toBe('1');
    // A first file: no line identical to an earlier one.
    expect(await page.getByTestId('recognised').textContent()).toBe('0');
    const errors = page.getByTestId('import-errors');
    await errors.waitFor();
    expect(await errors.locator('tbody tr').count()).toBeGreaterThan(0);
    expect(await errors.locator('tbody tr').first().locator('td').first().textContent()).toBe('3');
    expect(await errors.locator('tbody tr').first().textContent()).toContain('providerSiret');
    // The reason in French, never the import's English text.
    expect(await errors.locator('tbody tr').first().textContent()).toContain('14 chiffres attendus (reçu 3 chiffres)');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Télécharger le fichier d’erreurs' }).click()]);
    const file = readFileSync(await download.path(), 'utf8');
    expect(file).toContain('providerSiret');
    // The imports list: the import with its status and counts; its page shows the bad line.
    await page.getByRole('menuitem', { name: 'Imports', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Imports' }).waitFor();
    const row = page.getByTestId('imports').locator('tbody tr', { hasText: 'actions.csv' }).first();
    await row.waitFor();
    expect(await row.getByTestId('import-row-status').textContent()).toBe('Terminé');
    expect(await row.textContent()).toContain('Actions financées');
    await page.getByLabel('État').first().click();
    await page.getByRole('option', { name: 'Échoué' }).click();
    await page.getByText('Aucun import ne correspond à ces filtres.').waitFor();
    // react-admin keeps a list's filters for the session: reset them.
    await page.goto(`${base}/imports?filter=${encodeURIComponent('{}')}`);
    await page.getByTestId('imports').locator('tbody tr', { hasText: 'actions.csv' }).first().click();
    await page.waitForURL(/\/imports\/[0-9a-f-]{36}$/);
    importId = /imports\/([0-9a-f-]{36})$/.exec(page.url())?.[1] as string;
    await page.getByRole('heading', { level: 1, name: 'Import « actions.csv »' }).waitFor();
    expect(await page.getByTestId('rejected').textContent()).toBe('1');
    expect(await page.getByTestId('import-errors').locator('tbody tr').first().textContent()).toContain('14 chiffres attendus (reçu 3 chiffres)');
    // The good line is a funded action now, its amount in French.
    await page.goto(`${base}/actions?filter=${encodeURIComponent(JSON.stringify({ providerSiret: siret }))}`);
    const imported = page.locator('tr', { hasText: 'WEB-IMPORT-1' });
    await imported.waitFor();
    expect(await imported.textContent()).toMatch(/1\s234,50\s€/);
    expect(await imported.textContent()).toContain('01/04/2025');
  });

  it('officer: checks many providers at once (pasted lines), sees each answer or error, downloads the CSV', async () => {
    await page.getByRole('menuitem', { name: 'Vérification en masse' }).click();
    await page.getByRole('heading', { level: 1, name: 'Vérification en masse' }).waitFor();
    await page.getByTestId('bulk-text').fill(`siret;categorie;date\n${grouped(siret)};Actions de formation;01/03/2025\n123;TRAINING\n`);
    await page.getByRole('button', { name: 'Vérifier', exact: true }).click();
    const results = page.getByTestId('bulk-results');
    await results.waitFor();
    const rows = results.locator('tbody tr');
    expect(await rows.count()).toBe(2);
    expect(await rows.nth(0).textContent()).toContain(grouped(siret));
    expect(await rows.nth(0).getByTestId('coverage').textContent()).toBe('Certifié');
    expect(await rows.nth(0).textContent()).toContain('01/03/2025');
    expect(await rows.nth(0).textContent()).toContain('Note interne de votre organisme');
    // The bad line gets its French message, the good one its answer.
    expect(await rows.nth(1).getByTestId('bulk-error').textContent()).toMatch(/SIRET/);
    expect(await rows.nth(1).getByTestId('bulk-error').textContent()).not.toMatch(/must|digits/);
    const [csv] = await Promise.all([page.waitForEvent('download'), results.getByRole('button', { name: 'Télécharger en CSV' }).click()]);
    const text = readFileSync(await csv.path(), 'utf8');
    expect(text.split(/\r?\n/).filter(Boolean)).toHaveLength(3);
    expect(text).toContain(siret);
  });

  it('officer: creates a check, records findings with evidence, notifies, records the receipt and the response', async () => {
    await page.goto(`${base}/controles/create?siret=${siret}`);
    await page.getByRole('heading', { level: 1, name: 'Nouveau contrôle' }).waitFor();
    await page.getByLabel('Contact de l’organisme (nom)').fill('Mme Durand');
    await page.getByLabel('Contact de l’organisme (e-mail)').fill('qualite@navigateur.test');
    await page.getByTestId('link-actions').getByRole('checkbox', { name: /WEB-ACTION-1/ }).check();
    await page.getByLabel('Taille de l’échantillon').fill('1');
    await page.getByLabel('Graine').fill('42');
    await page.getByRole('button', { name: 'Créer le contrôle' }).click();
    await page.waitForURL(/\/controles\/[0-9a-f-]{36}\/show$/);
    checkId = /controles\/([0-9a-f-]{36})\/show/.exec(page.url())?.[1] as string;
    await page.getByTestId('summary').waitFor();
    expect(await page.getByTestId('state').first().textContent()).toBe('Brouillon');
    expect(await page.getByTestId('summary').textContent()).toContain('graine 42');

    // The officer grades every applicable indicator but two through the API (same user, same
    // rules), then these two on the grid: one compliant, one major non-conformity with evidence.
    const token = await login(t.http, officer);
    const check = (await t.http.get(`/api/v1/checks/${checkId}`).set('authorization', `Bearer ${token}`)).body as { scope: { points: Record<string, { applicable: boolean }> } };
    const applicable = Object.entries(check.scope.points).filter(([, p]) => p.applicable).map(([code]) => code);
    expect(applicable.length).toBeGreaterThan(2);
    const [first, second, ...rest] = applicable;
    for (const code of rest) {
      const r = await t.http.put(`/api/v1/checks/${checkId}/findings/${code}`).set('authorization', `Bearer ${token}`).send({ grade: 'COMPLIANT' });
      expect(r.status).toBe(200);
    }
    await page.reload();
    await page.getByTestId('grid').waitFor();

    await page.getByRole('button', { name: `Apprécier l’indicateur ${first}`, exact: true }).click();
    await page.getByRole('button', { name: 'Enregistrer le constat' }).click();
    await page.getByTestId(`point-${first}`).getByTestId('grade').filter({ hasText: 'Conforme' }).waitFor();

    await page.getByRole('button', { name: `Apprécier l’indicateur ${second}`, exact: true }).click();
    const form = page.getByTestId(`finding-form-${second}`);
    await form.getByLabel(`Appréciation de l’indicateur ${second}`).click();
    await page.getByRole('option', { name: 'Non-conformité majeure' }).click();
    await form.getByLabel(`Commentaire sur l’indicateur ${second}`).fill('Aucune information publique sur les prestations.');
    await form.getByTestId('upload-FINDING').setInputFiles({ name: 'capture-site.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n') });
    await form.getByTestId('uploaded').waitFor();
    expect(await form.getByTestId('uploaded').textContent()).toMatch(/SHA-256 [0-9a-f]{64}/);
    await form.getByRole('button', { name: 'Enregistrer le constat' }).click();
    await page.getByTestId(`point-${second}`).getByTestId('grade').filter({ hasText: 'Non-conformité majeure' }).waitFor();
    const evidence = page.getByTestId('evidence');
    await evidence.getByText('capture-site.pdf').waitFor();
    expect(await evidence.textContent()).toMatch(/[0-9a-f]{64}/);

    await page.getByRole('button', { name: 'Notifier l’organisme' }).click();
    await page.getByTestId('notified').waitFor();
    expect(await page.getByTestId('state').first().textContent()).toBe('Notifié');
    expect(await page.getByTestId('notified').textContent()).toContain('Date de réception non encore enregistrée');
    const [letter] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Lettre de notification (PDF)' }).click()]);
    expect(readFileSync(await letter.path()).subarray(0, 5).toString()).toBe('%PDF-');

    await page.getByTestId('receipt').getByRole('button', { name: 'Enregistrer la réception' }).click();
    await page.getByTestId('notified').filter({ hasText: 'Reçu par l’organisme le' }).waitFor();
    // A receipt date is corrected with its reason; the history keeps both.
    await page.getByRole('button', { name: 'Corriger la date de réception' }).click();
    const correction = page.getByTestId('receipt-correction');
    await correction.getByLabel('Date de réception corrigée').fill(todayIso());
    // Without a reason the button stays disabled: nothing is sent.
    expect(await correction.getByRole('button', { name: 'Enregistrer la correction' }).isDisabled()).toBe(true);
    await correction.getByLabel('Motif de la correction').fill('Accusé de réception postal vérifié.');
    await correction.getByRole('button', { name: 'Enregistrer la correction' }).click();
    const receiptHistory = page.getByTestId('receipt-history');
    await receiptHistory.getByText('Accusé de réception postal vérifié.').waitFor();
    expect(await receiptHistory.textContent()).toContain('Première saisie');

    const response = page.getByTestId('provider-response');
    await response.getByLabel('Observations de l’organisme').fill('Nous publions désormais le catalogue en ligne.');
    await response.getByTestId('upload-PROVIDER_RESPONSE').setInputFiles({ name: 'catalogue.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4\n%%EOF\n') });
    await response.getByTestId('uploaded').waitFor();
    await response.getByRole('button', { name: 'Enregistrer la réponse' }).click();
    await response.getByText('Nous publions désormais le catalogue en ligne.').waitFor();
    await page.getByTestId('state').filter({ hasText: 'Réponse reçue' }).first().waitFor();
    // After the response, the major non-conformity is revised with its reason and the response it follows.
    await page.getByRole('button', { name: `Réviser le constat ${second}`, exact: true }).click();
    const revision = page.getByTestId(`revision-form-${second}`);
    await revision.getByLabel(`Commentaire révisé sur l’indicateur ${second}`).fill('Catalogue annoncé mais pas encore publié.');
    await revision.getByLabel(`Motif de la révision de l’indicateur ${second}`).fill('La réponse ne lève pas la non-conformité.');
    await revision.getByRole('button', { name: 'Enregistrer la révision' }).click();
    const revisions = page.getByTestId(`point-${second}`).getByTestId('finding-revisions');
    await revisions.waitFor();
    expect(await revisions.textContent()).toContain('Non-conformité majeure → Non-conformité majeure. Motif : La réponse ne lève pas la non-conformité.');
    expect(await page.getByTestId(`point-${second}`).textContent()).toContain('Catalogue annoncé mais pas encore publié.');
    // The officer recorded findings: completion is explained, not offered.
    expect(await page.getByTestId('complete').textContent()).toContain('Seul un responsable peut clôturer');
  });

  it('officer: filters the checks by overdue response, owner and due date', async () => {
    await page.goto(`${base}/controles`);
    await page.getByRole('heading', { level: 1, name: 'Contrôles' }).waitFor();
    const rows = page.getByTestId('checks').locator('tbody tr');
    await rows.first().waitFor();
    await page.getByLabel('Réponse en retard').click();
    await page.getByRole('option', { name: 'En retard', exact: true }).click();
    await page.getByText('Aucun contrôle ne correspond à ces filtres.').waitFor();
    await page.getByLabel('Réponse en retard').click();
    await page.getByRole('option', { name: 'Pas en retard' }).click();
    await page.getByLabel('Responsable').click();
    await page.getByRole('option', { name: 'Moi' }).click();
    await page.getByLabel('SIRET de l’organisme').fill(grouped(siret));
    // The three filters reach the URL (react-admin debounces them), then the list answers them.
    await page.waitForURL((u) => ['overdue', 'assignee', 'providerSiret'].every((k) => decodeURIComponent(u.search).includes(`"${k}"`)));
    const row = page.getByTestId('checks').locator('tbody tr', { hasText: grouped(siret) });
    await row.first().waitFor();
    expect(await page.getByTestId('checks').locator('tbody tr').count()).toBe(1);
    expect(await row.first().textContent()).toContain('Réponse reçue');
    expect(await row.first().textContent()).toContain('Moi');
    // A due date past every response window of the page: none left.
    await page.goto(`${base}/controles?filter=${encodeURIComponent(JSON.stringify({ responseDueAfter: '2099-01-01' }))}`);
    await page.getByText('Aucun contrôle ne correspond à ces filtres.').waitFor();
  });

  it('manager: completes the check (maker-checker) and closes the corrective action', async () => {
    await signOut(page);
    await w.signIn(page, manager);
    await page.goto(`${base}/controles/${checkId}/show`);
    const complete = page.getByTestId('complete');
    await complete.waitFor();
    expect(await complete.textContent()).toContain('Principe des quatre yeux');
    await complete.getByRole('button', { name: 'Clôturer le contrôle' }).click();
    await page.getByTestId('state').filter({ hasText: 'Terminé' }).first().waitFor();
    expect(await page.getByTestId('outcome').textContent()).toBe('Non conforme');
    const corrective = page.getByTestId('corrective-actions');
    const item = corrective.locator('li').first();
    await item.waitFor();
    expect(await item.getByTestId('ca-status').textContent()).toBe('Ouverte');
    await item.getByRole('textbox', { name: /Suivi de l’action corrective/ }).fill('Relance envoyée à l’organisme.');
    await item.getByRole('button', { name: 'Ajouter le suivi' }).click();
    await item.getByText('Relance envoyée à l’organisme.').waitFor();
    await item.getByRole('textbox', { name: /Note de clôture/ }).fill('Catalogue publié, vérifié le jour même.');
    await item.getByRole('button', { name: 'Clore l’action corrective' }).click();
    await item.getByTestId('ca-status').filter({ hasText: 'Close' }).waitFor();
    // The frozen version is listed with its exports.
    await page.getByTestId('versions').getByRole('button', { name: 'PDF de la version 1' }).waitFor();
    const [pdf] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export PDF' }).click()]);
    expect(readFileSync(await pdf.path()).subarray(0, 5).toString()).toBe('%PDF-');
  });

  it('manager: recomputes, opens the anomaly and its chart, justifies it on a legal ground; a second run does not reopen it', async () => {
    // Still signed in as the manager. The first run from the « Recalculer » button, followed to its end.
    await page.getByRole('menuitem', { name: 'Couverture des tests' }).click();
    await page.getByRole('heading', { level: 1, name: 'Couverture des tests' }).waitFor();
    await page.getByRole('button', { name: 'Recalculer' }).click();
    await page.getByTestId('recompute-state').filter({ hasText: 'Terminé' }).waitFor({ timeout: 60_000 });
    await page.getByTestId('coverage-table').getByText('Prix très élevé').waitFor();

    await page.getByRole('menuitem', { name: 'Anomalies de prix' }).click();
    await page.getByRole('heading', { level: 1, name: 'Anomalies de prix' }).waitFor();
    const row = page.getByTestId('anomalies').locator('tbody tr', { hasText: 'Prix très élevé' });
    await row.waitFor();
    expect(await row.textContent()).toContain(grouped(siret));
    expect(await row.textContent()).toMatch(/100,00\s€/);
    expect(await row.textContent()).toContain('Ouverte');
    await row.click();
    await page.getByRole('heading', { level: 1, name: 'Anomalie : prix très élevé' }).waitFor();
    anomalyId = /anomalies\/([0-9a-f-]{36})\/show/.exec(page.url())?.[1] as string;
    // The evidence in words, the chart on a log scale and its figures as a table.
    expect(await page.getByTestId('evidence-words').textContent()).toMatch(/100,00\s€ par heure et par stagiaire, est au-dessus du seuil très haut du groupe \(39,5\d\s€\)/);
    await page.getByTestId('group-chart').locator('svg circle, svg path').first().waitFor();
    const figures = await page.getByTestId('group-figures').textContent();
    for (const text of ['Seuil bas', '1er quartile (Q1)', 'Médiane', '3e quartile (Q3)', 'Seuil très haut', 'Cette action']) expect(figures).toContain(text);
    expect(figures).toMatch(/Médiane23,50\s€/);

    const review = page.getByTestId('review-form');
    await review.getByRole('button', { name: 'Mettre en examen' }).click();
    await page.getByTestId('anomaly-status').filter({ hasText: 'En examen' }).waitFor();
    // Without a ground: the French message in place.
    await page.getByLabel('Commentaire').fill('Formation sur simulateur, matériel loué pour la session.');
    await page.getByRole('button', { name: 'Justifier', exact: true }).click();
    await page.getByTestId('review-form').getByRole('alert').filter({ hasText: 'l’un des quatre motifs' }).waitFor();
    for (const ground of ['Besoin de formation', 'Ingénierie pédagogique', 'Innovation des moyens mobilisés', 'Conditions comparables d’exploitation']) {
      await page.getByRole('radio', { name: ground }).waitFor();
    }
    await page.getByRole('radio', { name: 'Innovation des moyens mobilisés' }).check();
    await page.getByRole('button', { name: 'Justifier', exact: true }).click();
    await page.getByTestId('anomaly-status').filter({ hasText: 'Justifiée' }).waitFor();
    const history = page.getByTestId('anomaly-history');
    await history.getByText('Examinée : En examen → Justifiée').waitFor();
    expect(await history.textContent()).toContain('Motif : Innovation des moyens mobilisés');
    expect(await page.getByTestId('review-form').count()).toBe(0);

    // A second run over unchanged data (POST then drain) does not reopen it.
    const token = await login(t.http, manager);
    const again = await t.http.post('/api/v1/price-references/recompute').set('authorization', `Bearer ${token}`);
    expect(again.status).toBe(202);
    await t.drain(60_000);
    const job = await t.http.get(`/api/v1/jobs/${again.body.jobId}`).set('authorization', `Bearer ${token}`);
    expect(job.body.state).toBe('completed');
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Anomalie : prix très élevé' }).waitFor();
    expect(await page.getByTestId('anomaly-status').textContent()).toBe('Justifiée');
    expect(await page.getByTestId('anomaly-history').textContent()).not.toContain('Rouverte');

    // The provider page places the manager's own action in its group.
    await page.goto(`${base}/organismes/${siret}/show`);
    const position = page.getByTestId('price-position').locator('tr', { hasText: 'WEB-PRICE-OUTLIER' });
    await position.waitFor();
    expect(await position.textContent()).toContain('Au-dessus du seuil très haut');
    expect(await position.textContent()).toMatch(/21,75\s€ · 23,50\s€ · 25,25\s€/);
  });

  it('keeps the user logged in when the access token expired and a page makes parallel calls (one refresh)', async () => {
    const p = await w.newPage();
    try {
      await w.signIn(p, officer);
      const access = (await p.evaluate(`sessionStorage.getItem('bo.accessToken')`)) as string;
      await p.evaluate(`sessionStorage.setItem('bo.accessToken', ${JSON.stringify(expired(access))})`);
      const refreshes: string[] = [];
      const unauthorized: string[] = [];
      p.on('request', (r) => {
        if (r.url().endsWith('/api/v1/auth/refresh')) refreshes.push(r.url());
      });
      p.on('response', (r) => {
        if (r.status() === 401 && r.url().includes('/api/v1/')) unauthorized.push(r.url());
      });
      // In-app navigation to the provider page, whose three reads (the provider, the caller's
      // checks and funded actions with it) leave at once, all with the expired token.
      await p.evaluate(`history.pushState({}, '', '/organismes/${siret}/show'); dispatchEvent(new PopStateEvent('popstate'))`);
      await p.getByRole('heading', { level: 1, name: 'Organisme Formation Navigateur' }).waitFor();
      await p.locator('section', { hasText: 'Mes actions financées' }).getByText('WEB-ACTION-1').waitFor();
      await p.locator('section', { hasText: 'Mes contrôles de cet organisme' }).locator('tbody tr').first().waitFor();
      expect(unauthorized.length).toBeGreaterThanOrEqual(3);
      expect(refreshes).toHaveLength(1);
      expect(await p.getByRole('heading', { name: 'Connexion' }).count()).toBe(0);
      // The session goes on with the renewed token.
      await p.getByRole('menuitem', { name: 'Contrôles' }).click();
      await p.getByRole('heading', { level: 1, name: 'Contrôles' }).waitFor();
      expect(refreshes).toHaveLength(1);
    } finally {
      await p.context().close();
    }
  });

  /** Every screen, by the role that uses it: path, h1, and the screenshot's name. */
  function screens(): { role: 'officer' | 'manager' | 'admin'; path: string; h1: string; shot: string }[] {
    return [
      { role: 'officer', path: '/', h1: 'Tableau de bord', shot: 'tableau-de-bord' },
      { role: 'officer', path: '/organismes', h1: 'Organismes', shot: 'organismes-recherche' },
      { role: 'officer', path: `/organismes/${siret}/show`, h1: 'Organisme Formation Navigateur', shot: 'organisme-fiche' },
      { role: 'officer', path: '/actions', h1: 'Actions financées', shot: 'actions-liste' },
      { role: 'officer', path: `/actions/${actionId}/show`, h1: 'Action WEB-ACTION-1', shot: 'action-detail' },
      { role: 'officer', path: '/actions/import', h1: 'Import d’actions financées', shot: 'actions-import' },
      { role: 'officer', path: '/verification-financement', h1: 'Vérification en masse', shot: 'verification-en-masse' },
      { role: 'officer', path: '/imports', h1: 'Imports', shot: 'imports-liste' },
      { role: 'officer', path: `/imports/${importId}`, h1: 'Import « actions.csv »', shot: 'import-detail' },
      { role: 'officer', path: '/controles', h1: 'Contrôles', shot: 'controles-liste' },
      { role: 'officer', path: `/controles/create?siret=${siret}`, h1: 'Nouveau contrôle', shot: 'controle-creation' },
      { role: 'manager', path: `/controles/${checkId}/show`, h1: `Contrôle de ${grouped(siret)}`, shot: 'controle-detail' },
      { role: 'officer', path: `/organismes/${siret}/dossier`, h1: `Dossier de contrôle de ${grouped(siret)}`, shot: 'organisme-dossier' },
      { role: 'officer', path: '/plan-de-controle', h1: 'Plan de contrôle', shot: 'plan-de-controle' },
      { role: 'manager', path: '/mandats', h1: 'Mandats', shot: 'mandats' },
      { role: 'officer', path: '/signalements', h1: 'Signalements', shot: 'signalements-liste' },
      { role: 'officer', path: '/anomalies', h1: 'Anomalies de prix', shot: 'anomalies-liste' },
      { role: 'manager', path: `/anomalies/${anomalyId}/show`, h1: 'Anomalie : prix très élevé', shot: 'anomalie-detail' },
      { role: 'manager', path: '/anomalies/couverture', h1: 'Couverture des tests', shot: 'couverture-des-tests' },
      { role: 'admin', path: '/utilisateurs', h1: 'Utilisateurs', shot: 'admin-utilisateurs' },
      { role: 'admin', path: '/utilisateurs/create', h1: 'Nouvel utilisateur', shot: 'admin-utilisateur-creation' },
      { role: 'admin', path: '/cles-api', h1: 'Clés d’API', shot: 'admin-cles-api' },
      { role: 'admin', path: '/cles-api/create', h1: 'Nouvelle clé d’API', shot: 'admin-cle-api-creation' },
      { role: 'admin', path: '/administration/sso', h1: 'Connexion unique', shot: 'admin-connexion-unique' },
      { role: 'officer', path: '/nulle-part', h1: 'Page introuvable', shot: 'page-introuvable' },
    ];
  }

  async function pagesByRole(width: number): Promise<{ pages: Record<string, Page>; contexts: BrowserContext[] }> {
    const contexts: BrowserContext[] = [];
    const pages: Record<string, Page> = {};
    for (const [role, user] of [
      ['officer', officer],
      ['manager', manager],
      ['admin', admin],
    ] as const) {
      pages[role] = await w.newPage({ width, height: 900 });
      contexts.push(pages[role].context());
      await w.signIn(pages[role], user);
    }
    return { pages, contexts };
  }

  async function open(p: Page, path: string, h1: string): Promise<void> {
    await p.goto(`${base}${path}`);
    await p.getByRole('heading', { level: 1, name: h1, exact: true }).waitFor();
    // Wait for the screen's reads to settle (no spinner left).
    // A function, not a string: the page's Content-Security-Policy forbids eval.
    await p.waitForFunction(() => (globalThis as unknown as { document: { querySelectorAll(s: string): { length: number } } }).document.querySelectorAll('[role="progressbar"].MuiCircularProgress-root').length === 0);
    await p.waitForTimeout(200);
  }

  it('has no serious or critical accessibility violation on any screen (axe, WCAG 2.1 AA), and a title per screen', async () => {
    const { pages, contexts } = await pagesByRole(1280);
    try {
      const found: string[] = [];
      const titles = new Set<string>();
      const anonymous = await w.newPage();
      contexts.push(anonymous.context());
      await anonymous.goto(`${base}/`);
      await anonymous.getByRole('heading', { name: 'Connexion' }).waitFor();
      const audits: [string, Page][] = [['connexion', anonymous]];
      for (const s of screens()) {
        const p = pages[s.role];
        await open(p, s.path, s.h1);
        titles.add(await p.title());
        expect(await p.title()).toBe(`${s.h1} — Back office qualité`);
        await screenshot(p, s.shot, { fullPage: true });
        for (const v of await seriousAxeViolations(p)) {
          found.push(`${s.path}: ${v.id} (${v.impact}) ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
        }
      }
      for (const [name, p] of audits) {
        await screenshot(p, name, { fullPage: true });
        for (const v of await seriousAxeViolations(p)) found.push(`${name}: ${v.id} (${v.impact})`);
      }
      expect(found).toEqual([]);
      expect(titles.size).toBe(screens().length);
      // The skip link leads to the content.
      const p = pages.officer;
      await open(p, '/controles', 'Contrôles');
      await p.keyboard.press('Tab');
      expect(await p.evaluate('document.activeElement?.textContent')).toBe('Aller au contenu');
      expect(await p.locator('#main-content').count()).toBe(1);
    } finally {
      for (const c of contexts) await c.close();
    }
  }, 600_000);

  it('is usable at 390 px wide: no screen scrolls the page horizontally', async () => {
    const { pages, contexts } = await pagesByRole(390);
    try {
      const wide: string[] = [];
      for (const s of screens()) {
        const p = pages[s.role];
        await open(p, s.path, s.h1);
        const width = (await p.evaluate('document.documentElement.scrollWidth')) as number;
        if (width > 390) wide.push(`${s.path}: ${width}px`);
        if (['tableau-de-bord', 'controle-detail', 'organisme-fiche', 'anomalie-detail'].includes(s.shot)) await screenshot(p, `mobile-${s.shot}`, { fullPage: false });
      }
      expect(wide).toEqual([]);
      // The menu is a drawer behind a button on phones.
      await pages.officer.getByRole('button', { name: /menu/i }).first().click();
      await pages.officer.getByRole('menuitem', { name: 'Organismes' }).waitFor();
    } finally {
      for (const c of contexts) await c.close();
    }
  }, 600_000);

  it('raised no Content-Security-Policy violation on any page of the session', () => {
    expect(cspViolations).toEqual([]);
  });
});
