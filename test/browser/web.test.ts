import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Browser, Page, chromium } from 'playwright-core';
import { TestApp, createTestApp } from '../support/test-app';
import { TestUser, createUser, login } from '../support/fixtures';
import { actionBody, insertProvider, newSiren, observe, siretOf } from '../support/actions-fixtures';
import { webDistDir } from '../../apps/api/src/platform/web-ui';

// The web UI in headless Chromium against the composed API, which serves the built UI at `/`.
// scripts/test.mjs builds apps/web (when its sources changed) and installs Chromium before Jest.

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
jest.setTimeout(60_000);

describe('web UI (browser)', () => {
  let t: TestApp;
  let base: string;
  let browser: Browser;
  let page: Page;
  let officer: TestUser;
  let siret: string;
  let checkId: string;
  const cspViolations: string[] = [];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run the tests with npm test (it installs Chromium), or apt-get install -y chromium`);
    if (!webDistDir()) throw new Error(`the web UI is not built (${join('apps', 'web', 'dist')}): run node scripts/build.mjs or npm test`);
    t = await createTestApp();
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const address = t.app.getHttpServer().address();
    if (address === null || typeof address === 'string') throw new Error('the API is not listening on a TCP port');
    base = `http://127.0.0.1:${address.port}`;

    officer = await createUser(t.db, 'OPCO-ATLAS', ['officer']);
    siret = siretOf(newSiren());
    const nda = await insertProvider(t.db, { siret, name: 'Organisme Formation Navigateur' });
    await observe(t.db, { nda, certified: true, observedOn: '2024-01-10' });
    const token = await login(t.http, officer);
    const action = await t.http.post('/api/v1/actions').set('authorization', `Bearer ${token}`).send(actionBody({ providerSiret: siret, externalRef: 'WEB-ACTION-1' }));
    expect(action.status).toBe(201);
    expect(action.body.coverage).toBe('CERTIFIED');
    const check = await t.http
      .post('/api/v1/checks')
      .set('authorization', `Bearer ${token}`)
      .send({ method: 'DOCUMENTARY', providerSiret: siret, actionIds: [action.body.id] });
    expect(check.status).toBe(201);
    checkId = check.body.id;

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = await browser.newPage({ locale: 'fr-FR' });
    // Every Content-Security-Policy violation of the session, as the browser reports it.
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
    });
    await page.addInitScript(
      "document.addEventListener('securitypolicyviolation', (e) => console.error('Content Security Policy violation: ' + e.violatedDirective + ' ' + e.blockedURI));",
    );
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('serves the UI at / and page paths, while unknown API routes stay problem+json 404', async () => {
    const home = await fetch(`${base}/`, { headers: { accept: 'text/html' } });
    expect(home.status).toBe(200);
    expect(home.headers.get('content-security-policy')).toMatch(/script-src 'self'(;|$)/);
    expect(await home.text()).toContain('<div id="root">');
    const deep = await fetch(`${base}/controles/${checkId}`, { headers: { accept: 'text/html' } });
    expect(deep.status).toBe(200);
    expect(deep.headers.get('content-type')).toContain('text/html');
    const api = await fetch(`${base}/api/v1/nothing-here`, { headers: { accept: 'text/html' } });
    expect(api.status).toBe(404);
    expect(api.headers.get('content-type')).toContain('application/problem+json');
    const asset = await fetch(`${base}/nothing-here.js`);
    expect(asset.status).toBe(404);
  });

  it('refuses a wrong password with the API’s message', async () => {
    await page.goto(`${base}/`);
    await page.getByLabel('Adresse e-mail').fill(officer.email);
    await page.getByLabel('Mot de passe').fill('not the password');
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.getByRole('alert').waitFor();
    expect((await page.getByRole('alert').textContent())?.length).toBeGreaterThan(0);
  });

  it('logs in and shows the dashboard: user, organisation, the action’s coverage badge, the check', async () => {
    await page.goto(`${base}/`);
    await page.getByLabel('Adresse e-mail').fill(officer.email);
    await page.getByLabel('Mot de passe').fill('correct horse battery staple');
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.getByRole('heading', { name: 'Tableau de bord' }).waitFor();
    await page.getByTestId('user-name').waitFor();
    expect(await page.getByTestId('user-name').textContent()).toBe('Test officer');
    const row = page.getByTestId('actions').locator('tr', { hasText: 'WEB-ACTION-1' });
    await row.waitFor();
    expect(await row.locator('.badge').textContent()).toBe('CERTIFIÉ');
    const checks = page.getByTestId('checks');
    await checks.waitFor();
    expect(await checks.textContent()).toContain(siret);
  });

  it('opens the check detail with its scope', async () => {
    await page.getByTestId('checks').getByRole('link').first().click();
    await page.getByRole('heading', { name: 'Détail du contrôle' }).waitFor();
    expect(page.url()).toBe(`${base}/controles/${checkId}`);
    expect(await page.getByTestId('check-state').textContent()).toBe('Brouillon');
    await page.getByTestId('scope').waitFor();
    expect(await page.getByTestId('scope').locator('tbody tr').count()).toBeGreaterThan(0);
    // The RNQ titles come from the framework (the codes alone would show a dash).
    await page.waitForFunction(`(() => { const c = document.querySelector('[data-testid="scope"] tbody tr td:nth-child(2)'); return c !== null && c.textContent !== '—'; })()`);
  });

  it('searches the provider and shows its funding check', async () => {
    await page.getByRole('link', { name: 'Recherche d’organisme' }).click();
    await page.getByLabel('Nom, SIRET, SIREN ou NDA').fill(siret);
    await page.getByRole('button', { name: 'Rechercher' }).click();
    const row = page.getByTestId('providers').locator('tr', { hasText: 'Organisme Formation Navigateur' });
    await row.waitFor();
    await row.getByRole('link', { name: 'Vérifier' }).click();
    const panel = page.getByTestId('funding-check');
    await panel.locator('.badge').waitFor();
    expect(await panel.locator('.badge').textContent()).toBe('CERTIFIÉ');
    expect(await panel.getByTestId('exemptions').textContent()).toBe('Aucune');
    expect(await panel.getByTestId('blocked-payments').textContent()).toBe('Aucun');
    expect(await panel.getByTestId('major-nc').textContent()).toBe('Aucune');
  });

  it('keeps the session across a reload on a page path, then logs out', async () => {
    await page.goto(`${base}/controles/${checkId}`);
    await page.getByRole('heading', { name: 'Détail du contrôle' }).waitFor();
    await page.getByRole('button', { name: 'Se déconnecter' }).click();
    await page.getByRole('heading', { name: 'Connexion' }).waitFor();
  });

  it('ran the whole session under the Content-Security-Policy without a single violation', async () => {
    const main = await page.goto(`${base}/`);
    expect(main?.headers()['content-security-policy']).toMatch(/script-src 'self'/);
    await page.getByRole('heading', { name: 'Connexion' }).waitFor();
    expect(cspViolations).toEqual([]);
  });
});
