import { Page } from 'playwright-core';
import { TestApp } from '../support/test-app';
import { BrowserTest, signOut, startBrowserTest } from '../support/browser';
import { TestUser, createUser } from '../support/fixtures';
import { TestProvider, createAction, createProvider } from '../support/registry-fixtures';
import { completedCheck } from '../support/sharing-fixtures';

// Sharing in the web UI (docs/sharing.md), in headless Debian Chromium: funder A shares a check
// with the pool, funder B sees it in the provider's dossier and relies on it, A revokes the share,
// and B no longer sees it (its reliance is marked as no longer valid).

jest.setTimeout(300_000);

describe('sharing in the web UI (browser)', () => {
  let t: TestApp;
  let base: string;
  let w: BrowserTest;
  let page: Page;
  let aOfficer: TestUser;
  let aManager: TestUser;
  let bManager: TestUser;
  let p: TestProvider;
  let checkId: string;

  beforeAll(async () => {
    w = await startBrowserTest();
    ({ t, base } = w);
    aOfficer = await createUser(t.db, 'OPCO-ATLAS', ['officer']);
    aManager = await createUser(t.db, 'OPCO-ATLAS', ['manager']);
    bManager = await createUser(t.db, 'CDC', ['manager']);
    p = await createProvider(t.db, 'Organisme Mutualisé Navigateur');
    await createAction(t.db, 'OPCO-ATLAS', p);
    await createAction(t.db, 'CDC', p);
    checkId = await completedCheck(t.http, aOfficer, aManager, p.siret);
    page = await w.newPage({ width: 1280, height: 900 });
  });

  afterAll(async () => {
    await w?.close();
  });

  it('A shares to the pool, B sees it in the dossier and relies on it, A revokes, B no longer sees it', async () => {
    // A shares its completed check with the pool, and reads who sees it in words.
    await w.signIn(page, aManager);
    await page.goto(`${base}/controles/${checkId}/show`);
    const sharing = page.getByTestId('sharing');
    await sharing.getByText('Seule votre organisation voit ce contrôle.').waitFor();
    await sharing.getByLabel('Partager avec').click();
    await page.getByRole('option', { name: 'Mutualisé (tous les financeurs)' }).click();
    await sharing.getByRole('button', { name: 'Enregistrer le partage' }).click();
    await sharing.getByText('Tous les financeurs voient ce contrôle (mutualisation).').waitFor();
    await signOut(page);

    // B finds it in the provider's dossier and relies on it.
    await w.signIn(page, bManager);
    await page.goto(`${base}/organismes/${p.siret}/dossier`);
    const item = page.getByTestId(`timeline-${checkId}`);
    await item.waitFor();
    expect(await item.textContent()).toContain('Atlas');
    await item.getByRole('button', { name: 'M’appuyer sur ce contrôle' }).click();
    await item.getByLabel('Motif de l’appui').fill('Contrôle récent sur pièces, complet');
    await item.getByRole('button', { name: 'Enregistrer l’appui' }).click();
    await item.getByText('Vous vous appuyez sur ce contrôle').waitFor();
    await signOut(page);

    // A revokes the share.
    await w.signIn(page, aManager);
    await page.goto(`${base}/controles/${checkId}/show`);
    await page.getByTestId('sharing').getByRole('button', { name: 'Retirer le partage' }).click();
    await page.getByTestId('sharing').getByText('Seule votre organisation voit ce contrôle.').waitFor();
    await signOut(page);

    // B's next look: the check is gone, and its reliance is no longer valid.
    await w.signIn(page, bManager);
    await page.goto(`${base}/organismes/${p.siret}/dossier`);
    await page.getByText('Aucun contrôle visible pour cet organisme.').waitFor();
    expect(await page.getByTestId(`timeline-${checkId}`).count()).toBe(0);
    await page.getByText(/n’est plus valable : partage retiré/).waitFor();
  });
});
