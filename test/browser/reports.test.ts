import { Page } from 'playwright-core';
import { TestApp } from '../support/test-app';
import { BrowserTest, signOut, startBrowserTest } from '../support/browser';
import { TestUser, createUser, login, orgId } from '../support/fixtures';
import { createProvider } from '../support/registry-fixtures';
import { NARRATIVE, completedCheck } from '../support/reports-fixtures';

jest.setTimeout(300_000);

/**
 * The report's main path in the browser: a manager builds a report from a completed check and
 * submits it; the worker delivers it to the regional control service's built-in inbox; the
 * agent acknowledges it and requests information; the funder answers.
 */
describe('reports (browser)', () => {
  let t: TestApp;
  let base: string;
  let w: BrowserTest;
  let page: Page;
  let manager: TestUser;
  let agent: TestUser;
  let check: { id: string; revision: number };

  beforeAll(async () => {
    w = await startBrowserTest({ port: Number(process.env.BO_TEST_REPORTS_BROWSER_PORT ?? 0) });
    ({ t, base } = w);
    await t.db.superQuery(`INSERT INTO delivery_endpoints (organisation_id, url) VALUES ($1, $2)`, [await orgId(t.db, 'SRC-84'), `${base}/api/v1/inbox/deliveries`]);
    const officer = await createUser(t.db, 'OPCO-ATLAS', ['officer']);
    manager = await createUser(t.db, 'OPCO-ATLAS', ['manager']);
    agent = await createUser(t.db, 'SRC-84', ['ministry']);
    const provider = await createProvider(t.db, 'Organisme Signalé');
    check = await completedCheck(t, await login(t.http, officer), await login(t.http, manager), provider.siret, { 'SF-01': 'MAJOR_NC' }, { code: 'SERVICE-FAIT', version: 1 });
    page = await w.newPage({ width: 1280, height: 900 });
  });

  afterAll(async () => {
    await w?.close();
  });

  it('a manager builds and submits a report from a check; the agent acknowledges and requests information; the funder answers', async () => {
    await w.signIn(page, manager);
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
    await signOut(page);

    // The control service's agent: the inbox, the package with its seal, acknowledge, ask.
    await w.signIn(page, agent);
    await page.goto(`${base}/boite-de-reception`);
    await page.getByTestId('inbox').getByText('Émargements absents').click();
    await page.getByTestId('seal-valid').getByText('Valide').waitFor();
    await page.getByRole('button', { name: 'Accuser réception' }).click();
    await page.getByTestId('handling-status').getByText('Accusé de réception').waitFor();
    await page.getByTestId('question').fill('Transmettez les feuilles d’émargement de mars.');
    await page.getByRole('button', { name: 'Demander des informations' }).click();
    await page.getByTestId('handling-status').getByText('Informations demandées').waitFor();
    await signOut(page);

    // The funder answers.
    await w.signIn(page, manager);
    await page.goto(reportUrl);
    await page.getByTestId('info-request').getByText(/Transmettez les feuilles d’émargement de mars/).waitFor();
    await page.getByTestId('answer-text').fill('Les feuilles de mars n’ont jamais été produites par l’organisme.');
    await page.getByRole('button', { name: 'Répondre' }).click();
    await page.getByTestId('handling').getByText('Réponse apportée').waitFor();
    const [kase] = await t.db.superQuery<{ handling_status: string }>(`SELECT handling_status FROM report_cases`);
    expect(kase.handling_status).toBe('ANSWERED');
  });
});
