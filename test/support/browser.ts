import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { Browser, Page, chromium } from 'playwright-core';
import { TestApp, createTestApp } from './test-app';
import { TEST_PASSWORD, TestUser } from './fixtures';
import { webDistDir } from '../../apps/api/src/platform/web-ui';

// What every browser test shares: the composed API (with the worker) listening on a TCP port and
// serving the built web UI at `/`, headless Debian Chromium driven by playwright-core, signing in
// and out through the UI, and screenshots. scripts/test.mjs builds apps/web (when its sources
// changed) and installs Chromium before Jest. BO_SCREENSHOTS=1 writes screenshots to docs/screenshots/.

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOTS = process.env.BO_SCREENSHOTS === '1' ? join(__dirname, '..', '..', 'docs', 'screenshots') : null;

export interface BrowserTest {
  t: TestApp;
  /** `http://127.0.0.1:PORT`, where the API serves the UI. */
  base: string;
  browser: Browser;
  /** A page in a context of its own, in French; the viewport as given, else Playwright's default. */
  newPage(viewport?: { width: number; height: number }): Promise<Page>;
  /** Signs `user` in through the login screen and waits for the dashboard. */
  signIn(page: Page, user: TestUser): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts the API with the worker on `port` (0: any free port) and launches Chromium. Fails loudly
 * when Chromium or the built UI is missing.
 */
export async function startBrowserTest(options: { port?: number } = {}): Promise<BrowserTest> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run the tests with npm test (it installs Chromium), or apt-get install -y chromium`);
  if (!webDistDir()) throw new Error(`the web UI is not built (${join('apps', 'web', 'dist')}): run node scripts/build.mjs or npm test`);
  const t = await createTestApp({ withWorker: true });
  let browser: Browser | undefined;
  try {
    await t.app.listen({ port: options.port ?? 0, host: '127.0.0.1' });
    const address = t.app.getHttpServer().address();
    if (address === null || typeof address === 'string') throw new Error('the API is not listening on a TCP port');
    const base = `http://127.0.0.1:${address.port}`;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    if (SHOTS) mkdirSync(SHOTS, { recursive: true });
    const launched = browser;
    return {
      t,
      base,
      browser: launched,
      newPage: async (viewport) => (await launched.newContext({ locale: 'fr-FR', ...(viewport && { viewport }) })).newPage(),
      signIn: (page, user) => signIn(page, base, user),
      async close() {
        await launched.close();
        await t.close();
      },
    };
  } catch (e) {
    await browser?.close();
    await t.close();
    throw e;
  }
}

async function signIn(page: Page, base: string, user: TestUser): Promise<void> {
  await page.goto(`${base}/`);
  await page.getByLabel('Adresse e-mail').fill(user.email);
  await page.getByLabel('Mot de passe').fill(TEST_PASSWORD);
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await page.getByRole('heading', { level: 1, name: 'Tableau de bord' }).waitFor();
}

/** Signs the current user out through the header's menu and waits for the login screen. */
export async function signOut(page: Page): Promise<void> {
  await page.locator('header button').filter({ hasText: /^Test / }).click();
  await page.getByRole('menuitem', { name: 'Déconnexion' }).click();
  await page.getByRole('heading', { name: 'Connexion' }).waitFor();
}

/** Writes `docs/screenshots/<name>.png` when BO_SCREENSHOTS=1; does nothing otherwise. */
export async function screenshot(page: Page, name: string, options: { fullPage: boolean }): Promise<void> {
  if (SHOTS) await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: options.fullPage });
}

/** The page's serious and critical accessibility violations (axe, WCAG 2.1 AA). */
export async function seriousAxeViolations(page: Page) {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}
