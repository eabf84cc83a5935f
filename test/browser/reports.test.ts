import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Browser, Page, chromium } from 'playwright-core';
import { TestApp, createTestApp } from '../support/test-app';
import { TestUser, createUser, login, orgId } from '../support/fixtures';
import { createProvider } from '../support/registry-fixtures';
import { NARRATIVE, completedCheck } from '../support/reports-fixtures';
import { webDistDir } from '../../apps/api/src/platform/web-ui';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const PASSWORD = 'correct horse battery staple';
jest.setTimeout(300_000);

/**
 * The report's main path in the browser: a manager builds a report from a completed check and
 * submits it; the worker delivers it to the regional control service's built-in inbox; the
 * agent acknowledges it and requests information; the funder answers.
 */
describe('reports (browser)', () => {
  let t: TestApp;
  let base: string;
  let browser: Browser;
  let page: Page;
  let manager: TestUser;
  let agent: TestUser;
  let check: { id: string; revision: number };

  async function signIn(user: TestUser): Promise<void> {
    await page.goto(`${base}/`);
    await page.getByLabel('Adresse e-mail').fill(user.email);
    await page.getByLabel('Mot de passe').fill(PASSWORD);
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.getByRole('heading', { level: 1, name: 'Tableau de bord' }).waitFor();
  }

  async function signOut(): Promise<void> {
    await page.locator('header button').filter({ hasText: /^Test / }).click();
    await page.getByRole('menuitem', { name: 'Déconnexion' }).click();
    await page.getByRole('heading', { name: 'Connexion' }).waitFor();
  }

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run the tests with npm test (it installs Chromium), or apt-get install -y chromium`);
    if (!webDistDir()) throw new Error(`the web UI is not built (${join('apps', 'web', 'dist')}): run node scripts/build.mjs or npm test`);
    t = await createTestApp({ withWorker: true });
    await t.app.listen({ port: Number(process.env.BO_TEST_REPORTS_BROWSER_PORT ?? 0), host: '127.0.0.1' });
    const address = t.app.getHttpServer().address();
    if (address === null || typeof address === 'string') throw new Error('the API is not listening on a TCP port');
    base = `http://127.0.0.1:${address.port}`;
    await t.db.superQuery(`INSERT INTO delivery_endpoints (organisation_id, url) VALUES ($1, $2)`, [await orgId(t.db, 'SRC-84'), `${base}/api/v1/inbox/deliveries`]);
    const officer = await createUser(t.db, 'OPCO-ATLAS', ['officer']);
    manager = await createUser(t.db, 'OPCO-ATLAS', ['manager']);
    agent = await createUser(t.db, 'SRC-84', ['ministry']);
    const provider = await createProvider(t.db, 'Organisme Signalé');
    check = await completedCheck(t, await login(t.http, officer), await login(t.http, manager), provider.siret, { 'SF-01': 'MAJOR_NC' }, { code: 'SERVICE-FAIT', version: 1 });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = await (await browser.newContext({ locale: 'fr-FR', viewport: { width: 1280, height: 900 } })).newPage();
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('a manager builds and submits a report from a check; the agent acknowledges and requests information; the funder answers', async () => {
    await signIn(manager);
    // From the completed check: « Signaler ».
    await page.goto(`${base}/controles/${check.id}/show`);
    await page.getByRole('link', { name: 'Signaler' }).click();
    await page.getByTestId('report-title').fill('Émargements absents');
    await page.getByRole('button', { name: 'Créer le brouillon' }).click();
    await page.getByRole('heading', { level: 1, name: /^Signalement SIG-/ }).waitFor();
    await page.getByTestId('grounds').getByText(/version 1/).waitFor();
    // Before the claims and narrative, submission would be refused: the builder says why.
    await page.getByTestId('problems-list').getByText('Indiquez au moins un manquement.').waitFor();
    await page.getByLabel('Nature').click();
    await page.getByRole('option', { name: 'Point de service fait' }).click();
    await page.getByTestId('claim-code').fill('SF-01');
    await page.getByRole('button', { name: 'Ajouter le manquement' }).click();
    await page.getByTestId('narrative').fill(NARRATIVE);
    await page.getByRole('button', { name: 'Enregistrer le brouillon' }).click();
    await page.getByText('Le signalement est étayé : il peut être soumis.').waitFor();
    await page.getByTestId('recipients').getByText(/Service régional de contrôle/).first().waitFor();
    await page.getByRole('button', { name: 'Soumettre et sceller' }).click();
    await page.getByTestId('report-status').getByText('Soumis (scellé)').waitFor();
    await t.drain();
    await page.reload();
    await page.getByTestId('cases').getByText('Remis').waitFor();
    const reportUrl = page.url();
    await signOut();

    // The control service's agent: the inbox, the package with its seal, acknowledge, ask.
    await signIn(agent);
    await page.goto(`${base}/boite-de-reception`);
    await page.getByTestId('inbox').getByText('Émargements absents').click();
    await page.getByTestId('seal-valid').getByText('Valide').waitFor();
    await page.getByRole('button', { name: 'Accuser réception' }).click();
    await page.getByTestId('handling-status').getByText('Accusé de réception').waitFor();
    await page.getByTestId('question').fill('Transmettez les feuilles d’émargement de mars.');
    await page.getByRole('button', { name: 'Demander des informations' }).click();
    await page.getByTestId('handling-status').getByText('Informations demandées').waitFor();
    await signOut();

    // The funder answers.
    await signIn(manager);
    await page.goto(reportUrl);
    await page.getByTestId('info-request').getByText(/Transmettez les feuilles d’émargement de mars/).waitFor();
    await page.getByTestId('answer-text').fill('Les feuilles de mars n’ont jamais été produites par l’organisme.');
    await page.getByRole('button', { name: 'Répondre' }).click();
    await page.getByTestId('handling').getByText('Réponse apportée').waitFor();
    const [kase] = await t.db.superQuery<{ handling_status: string }>(`SELECT handling_status FROM report_cases`);
    expect(kase.handling_status).toBe('ANSWERED');
  });
});
