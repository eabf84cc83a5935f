import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Browser, Page, chromium } from 'playwright-core';
import { TestApp, createTestApp } from '../support/test-app';
import { TestUser, createUser } from '../support/fixtures';
import { TestProvider, createAction, createProvider } from '../support/registry-fixtures';
import { completedCheck } from '../support/sharing-fixtures';
import { webDistDir } from '../../apps/api/src/platform/web-ui';

// Sharing in the web UI (docs/sharing.md), in headless Debian Chromium: funder A shares a check
// with the pool, funder B sees it in the provider's dossier and relies on it, A revokes the share,
// and B no longer sees it (its reliance is marked as no longer valid).

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const PASSWORD = 'correct horse battery staple';
jest.setTimeout(300_000);

describe('sharing in the web UI (browser)', () => {
  let t: TestApp;
  let base: string;
  let browser: Browser;
  let page: Page;
  let aOfficer: TestUser;
  let aManager: TestUser;
  let bManager: TestUser;
  let p: TestProvider;
  let checkId: string;

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
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const address = t.app.getHttpServer().address();
    if (address === null || typeof address === 'string') throw new Error('the API is not listening on a TCP port');
    base = `http://127.0.0.1:${address.port}`;
    aOfficer = await createUser(t.db, 'OPCO-ATLAS', ['officer']);
    aManager = await createUser(t.db, 'OPCO-ATLAS', ['manager']);
    bManager = await createUser(t.db, 'CDC', ['manager']);
    p = await createProvider(t.db, 'Organisme Mutualisé Navigateur');
    await createAction(t.db, 'OPCO-ATLAS', p);
    await createAction(t.db, 'CDC', p);
    checkId = await completedCheck(t.http, aOfficer, aManager, p.siret);
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

  it('A shares to the pool, B sees it in the dossier and relies on it, A revokes, B no longer sees it', async () => {
    // A shares its completed check with the pool, and reads who sees it in words.
    await signIn(aManager);
    await page.goto(`${base}/controles/${checkId}/show`);
    const sharing = page.getByTestId('sharing');
    await sharing.getByText('Seule votre organisation voit ce contrôle.').waitFor();
    await sharing.getByLabel('Partager avec').click();
    await page.getByRole('option', { name: 'Mutualisé (tous les financeurs)' }).click();
    await sharing.getByRole('button', { name: 'Enregistrer le partage' }).click();
    await sharing.getByText('Tous les financeurs voient ce contrôle (mutualisation).').waitFor();
    await signOut();

    // B finds it in the provider's dossier and relies on it.
    await signIn(bManager);
    await page.goto(`${base}/organismes/${p.siret}/dossier`);
    const item = page.getByTestId(`timeline-${checkId}`);
    await item.waitFor();
    expect(await item.textContent()).toContain('Atlas');
    await item.getByRole('button', { name: 'M’appuyer sur ce contrôle' }).click();
    await item.getByLabel('Motif de l’appui').fill('Contrôle récent sur pièces, complet');
    await item.getByRole('button', { name: 'Enregistrer l’appui' }).click();
    await item.getByText('Vous vous appuyez sur ce contrôle').waitFor();
    await signOut();

    // A revokes the share.
    await signIn(aManager);
    await page.goto(`${base}/controles/${checkId}/show`);
    await page.getByTestId('sharing').getByRole('button', { name: 'Retirer le partage' }).click();
    await page.getByTestId('sharing').getByText('Seule votre organisation voit ce contrôle.').waitFor();
    await signOut();

    // B's next look: the check is gone, and its reliance is no longer valid.
    await signIn(bManager);
    await page.goto(`${base}/organismes/${p.siret}/dossier`);
    await page.getByText('Aucun contrôle visible pour cet organisme.').waitFor();
    expect(await page.getByTestId(`timeline-${checkId}`).count()).toBe(0);
    await page.getByText(/n’est plus valable : partage retiré/).waitFor();
  });
});
