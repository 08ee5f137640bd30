// A customer reports a problem from their company's portal: the portal's
// page (here on 127.0.0.2, another site than fieldcase on 127.0.0.1) embeds
// the form with a token its server signed; the customer writes, attaches a
// photo and sends; the portal hears `submitted` with the reference; a
// dispatcher sees the intake as coming through the portal. A page on an
// origin the portal did not register cannot frame the form at all, and a
// forged or expired token shows a clear page inside the portal.
import { test, expect, signIn, STAFF, PHOTO, accessibilityViolations } from './fixtures';
import * as crypto from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from '@playwright/test';

const SHOTS = '/tmp/shots-wip-embed';

function b64url(data: Buffer | string) {
  return Buffer.from(data).toString('base64url');
}

/** An embed token as a portal's server mints one: HS256 with node's crypto. */
function mint(portalId: string, secret: string, claims: Record<string, unknown>, iat?: number, exp?: number) {
  const now = Math.floor(Date.now() / 1000);
  const header = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const body = b64url(
    JSON.stringify({ iss: portalId, sub: 'customer-42', iat: iat ?? now, exp: exp ?? now + 600, ...claims }),
  );
  const signature = crypto.createHmac('sha256', secret).update(`${header}.${body}`).digest('base64url');
  return `${header}.${body}.${signature}`;
}

type Parent = { origin: string; setPage: (html: string) => void; close: () => Promise<void> };

/** A tiny portal page server on `host`, answering whatever page it is given. */
async function parentServer(host: string): Promise<Parent> {
  let page = '<!doctype html><title>empty</title>';
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(page);
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://${host}:${port}`,
    setPage: (html) => {
      page = html;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** The portal's page: the snippet fieldcase's admin page gives, with a token. */
function portalPage(src: string, fieldcase: string) {
  return `<!doctype html><html lang="en"><head><title>Northwind customer portal</title></head><body>
<main><h1>Northwind support</h1>
<iframe data-fieldcase title="Report a problem" data-prefill-name="Kim Lee" data-prefill-email="kim@northwind.example"
  src="${src}" style="width:100%;border:0"></iframe>
<p id="log" aria-live="polite"></p></main>
<script src="${fieldcase}/embed/resize.js"></script>
<script>
  const frame = document.querySelector('iframe');
  const log = document.getElementById('log');
  frame.addEventListener('fieldcase:submitted', (e) => { log.textContent += 'submitted ' + e.detail.reference + ';'; });
  frame.addEventListener('fieldcase:error', (e) => { log.textContent += 'error ' + e.detail.code + ';'; });
  frame.addEventListener('fieldcase:ready', () => { log.textContent += 'ready;'; });
</script></body></html>`;
}

/** An admin registers the portal on the console's Portals page; its secret, shown once. */
async function registerPortal(page: Page, name: string, origin: string) {
  await signIn(page, STAFF.admin);
  await page.getByRole('link', { name: 'Portals' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Portals' })).toBeVisible();
  await page.getByLabel('Name', { exact: true }).fill(name);
  await page.getByLabel('Origins (space or comma separated)').fill(origin);
  await page.getByRole('button', { name: 'Register portal' }).click();
  const secret = await page.getByRole('textbox', { name: 'Secret', exact: true }).inputValue();
  expect(secret.length).toBeGreaterThan(30);
  const snippet = page.getByLabel('Snippet');
  await expect(snippet).toHaveValue(/\/embed\/resize\.js/);
  const id = (await snippet.inputValue()).match(/\/embed\/([0-9a-f-]{36})\?/)![1];
  await expect(page.getByText('frame-src')).toBeVisible();
  return { id, secret };
}

test.describe('embedded in a customer portal', () => {
  test.beforeEach(({}, testInfo) => {
    test.skip(testInfo.project.name !== 'desktop', 'one server is enough');
  });

  let parent: Parent;
  let stranger: Parent;
  test.beforeAll(async () => {
    parent = await parentServer('127.0.0.2');
    stranger = await parentServer('127.0.0.3');
  });
  test.afterAll(async () => {
    await parent.close();
    await stranger.close();
  });

  test('a customer sends a report from the portal, and the portal hears the reference', async ({
    page,
    browser,
    baseURL,
    intakesFor,
  }) => {
    const portalName = `Northwind portal ${Date.now()}`;
    const { id, secret } = await registerPortal(page, portalName, parent.origin);
    const src = (token: string) =>
      `${baseURL}/embed/${id}?origin=${encodeURIComponent(parent.origin)}&accent=%23006644&t=${token}`;

    // The form itself passes axe, opened alone; so does its error page.
    const phone = await browser.newContext({ viewport: { width: 412, height: 915 } });
    const alone = await phone.newPage();
    await alone.goto(src(mint(id, secret, { account: 'Northwind Foods', name: 'Kim Lee' })));
    await expect(alone.getByRole('heading', { level: 1, name: 'Report a problem' })).toBeVisible();
    expect(await accessibilityViolations(alone)).toEqual([]);
    await alone.screenshot({ path: `${SHOTS}/embed-form-pixel7.png`, fullPage: true });
    // In the portal's language (its URL's lang): Spanish, axe-clean too.
    await alone.goto(src(mint(id, secret, { account: 'Northwind Foods', name: 'Kim Lee' })) + '&lang=es');
    await expect(alone.locator('html')).toHaveAttribute('lang', 'es');
    await expect(alone.getByRole('heading', { level: 1, name: 'Informar de un problema' })).toBeVisible();
    await expect(alone.getByLabel('¿Qué falla?')).toBeVisible();
    expect(await accessibilityViolations(alone)).toEqual([]);
    await alone.screenshot({ path: `${SHOTS}/embed-form-es-pixel7.png`, fullPage: true });
    await alone.goto(src(mint(id, 'forged', { account: 'Northwind Foods' })));
    await expect(alone.getByRole('heading', { level: 1, name: 'This form cannot open' })).toBeVisible();
    expect(await accessibilityViolations(alone)).toEqual([]);
    await alone.screenshot({ path: `${SHOTS}/embed-error-pixel7.png` });
    await phone.close();

    // The portal's page, with the token its server signed for Kim.
    parent.setPage(portalPage(src(mint(id, secret, { account: 'Northwind Foods' })), baseURL!));
    await page.goto(`${parent.origin}/support`);
    const form = page.frameLocator('iframe[data-fieldcase]');
    await expect(form.getByRole('heading', { level: 1, name: 'Report a problem' })).toBeVisible();
    await expect(page.locator('#log')).toContainText('ready;');
    // Prefilled by the portal's page (postMessage from the registered origin).
    await expect(form.getByLabel('Your name')).toHaveValue('Kim Lee');
    await expect(form.getByLabel('Your e-mail (optional)')).toHaveValue('kim@northwind.example');

    const notes = `Customer report ${Date.now()}: the feed pump is leaking under the seal and hums loudly.`;
    await form.getByRole('radio', { name: /Feed pump P-12/ }).check();
    await form.getByLabel('What is wrong?').fill(notes);
    await form.getByLabel('Photos (optional)').setInputFiles(PHOTO);
    await expect(form.getByText('Added')).toBeVisible();
    // The iframe grows with the form (resize.js).
    const height = await page.locator('iframe[data-fieldcase]').evaluate((f) => f.getBoundingClientRect().height);
    expect(height).toBeGreaterThan(500);
    await page.screenshot({ path: `${SHOTS}/embed-in-portal.png`, fullPage: true });
    await form.getByRole('button', { name: 'Send report' }).click();

    await expect(form.getByRole('heading', { name: 'Thank you — we have your report' })).toBeVisible();
    const reference = (await form.locator('#reference').textContent())!.trim();
    expect(reference).toMatch(/^FC-/);
    await expect(page.locator('#log')).toContainText(`submitted ${reference};`);

    // One intake, from the portal, waiting for a dispatcher.
    const mine = intakesFor('Feed pump P-12').filter((i) => i.notes === notes);
    expect(mine).toHaveLength(1);
    expect(mine[0].reference).toBe(reference);
    expect(mine[0].status).toBe('submitted');
    expect(mine[0].photos).toHaveLength(1);
    expect(mine[0].technician.name).toBe('Kim Lee');
    await page.goto(`/console/intakes/${mine[0].id}`);
    await expect(page.locator('.meta')).toContainText(`by Kim Lee (customer via portal ${portalName})`);
    await expect(page.locator('.actor', { hasText: `Kim Lee (customer via portal ${portalName})` })).toBeVisible();
  });

  test('another site cannot frame the form, and a bad token shows a clear page', async ({ page, baseURL }) => {
    const { id, secret } = await registerPortal(page, `Contoso portal ${Date.now()}`, parent.origin);
    const src = (token: string) => `${baseURL}/embed/${id}?origin=${encodeURIComponent(parent.origin)}&t=${token}`;

    // An unregistered origin, even with a good token: the browser refuses.
    stranger.setPage(portalPage(src(mint(id, secret, { account: 'Contoso Logistics' })), baseURL!));
    const refused = page.waitForEvent('console', (m) => m.text().includes('frame-ancestors'));
    await page.goto(`${stranger.origin}/`);
    await refused;
    await expect(page.frameLocator('iframe[data-fieldcase]').getByRole('heading', { name: 'Report a problem' })).toHaveCount(0);

    // A forged token: the clear page, inside the portal, which hears `error`.
    parent.setPage(portalPage(src(mint(id, 'not-the-secret', { account: 'Contoso Logistics' })), baseURL!));
    await page.goto(`${parent.origin}/`);
    let form = page.frameLocator('iframe[data-fieldcase]');
    await expect(form.getByRole('heading', { level: 1, name: 'This form cannot open' })).toBeVisible();
    await expect(form.getByText('not valid')).toBeVisible();
    await expect(page.locator('#log')).toContainText('error embed_token_invalid;');

    // An expired one.
    const past = Math.floor(Date.now() / 1000) - 3600;
    parent.setPage(portalPage(src(mint(id, secret, { account: 'Contoso Logistics' }, past, past + 600)), baseURL!));
    await page.goto(`${parent.origin}/`);
    form = page.frameLocator('iframe[data-fieldcase]');
    await expect(form.getByText('has expired')).toBeVisible();
    await expect(page.locator('#log')).toContainText('error embed_token_expired;');
  });
});
