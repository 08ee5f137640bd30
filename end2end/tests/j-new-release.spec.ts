import { test, expect } from './fixtures';
import type { Page } from '@playwright/test';
import { freePort, startServer, stopServer } from './own-server';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

// A new release takes over at the next open: a phone that ran the previous
// release (its service worker, its cache) opens the new one's index and
// files, never a stale index naming files the server no longer has, and the
// new release is what opens offline afterwards. Its own server on a copy of
// dist/, so the release can change under it without touching the others'.

const DIST = path.resolve(__dirname, '../../dist');

/**
 * The next release: the stylesheet changed, so it has a new hashed name, and
 * the old file is gone from the server, as after a deploy.
 */
function nextRelease(dist: string): { before: string; after: string } {
  const index = fs.readFileSync(path.join(dist, 'index.html'), 'utf8');
  const before = /\/(main-[0-9a-f]{16}\.css)/.exec(index)![1];
  const css = fs.readFileSync(path.join(dist, before), 'utf8') + '\n/* the next release */\n';
  const hash = crypto.createHash('sha256').update(css).digest('hex').slice(0, 16);
  const after = `main-${hash}.css`;
  const integrity = 'sha384-' + crypto.createHash('sha384').update(css).digest('base64');
  fs.writeFileSync(path.join(dist, after), css);
  for (const old of [before, `${before}.br`, `${before}.gz`]) fs.rmSync(path.join(dist, old), { force: true });
  for (const name of fs.readdirSync(dist)) {
    if (!/^index(\.[a-z]{2})?\.html$/.test(name)) continue;
    const file = path.join(dist, name);
    const html = fs
      .readFileSync(file, 'utf8')
      .replaceAll(before, after)
      .replace(/(href=\/?main-[0-9a-f]{16}\.css integrity=)sha384-[A-Za-z0-9+/=]+/, `$1${integrity}`);
    fs.writeFileSync(file, html);
    for (const c of [`${name}.br`, `${name}.gz`]) fs.rmSync(path.join(dist, c), { force: true });
  }
  return { before, after };
}

const stylesheet = (page: Page) =>
  page.evaluate(() => new URL((document.querySelector('link[rel=stylesheet]') as HTMLLinkElement).href).pathname);
/** The page is styled: the bar has the app's colour, not the browser's default. */
const barColour = (page: Page) =>
  page.evaluate(() => getComputedStyle(document.querySelector('header.bar')!).backgroundColor);
const cacheNames = (page: Page) => page.evaluate(() => caches.keys());

test('a new release takes over at the next open, and is what opens offline after', async ({
  page,
  context,
  fieldcaseBin,
}, testInfo) => {
  test.skip(testInfo.project.name !== 'phone', 'one phone is enough: it is the worker that is tested');
  test.setTimeout(90_000);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'fieldcase-release-'));
  const dist = path.join(root, 'dist');
  // Times kept: the build's compressed copies stay newer than their files,
  // so this server does not compress the whole release again at start.
  fs.cpSync(DIST, dist, { recursive: true, preserveTimestamps: true });
  const data = path.join(root, 'data');
  const port = await freePort();
  let server = await startServer(fieldcaseBin, { dist, data, port });
  try {
    const links = JSON.parse(fs.readFileSync(path.join(data, 'demo-links.json'), 'utf8'));
    const link = `http://127.0.0.1:${port}/a/${links[0].token}`;

    // Release A: opened, its worker installed and in control.
    await page.goto(link);
    await expect(page.getByRole('heading', { level: 1, name: links[0].name })).toBeVisible();
    await expect
      .poll(() => page.evaluate(() => navigator.serviceWorker?.controller?.state ?? 'none'), { timeout: 20_000 })
      .toBe('activated');
    const styled = await barColour(page);
    const cachesA = await cacheNames(page);

    // The deploy: release B replaces A on the server.
    await stopServer(server);
    const { before, after } = nextRelease(dist);
    server = await startServer(fieldcaseBin, { dist, data, port });

    // The next open: B's index and B's stylesheet, styled as ever.
    await page.goto(link);
    await expect(page.getByRole('heading', { level: 1, name: links[0].name })).toBeVisible();
    expect(await stylesheet(page)).toBe(`/${after}`);
    expect(await barColour(page)).toBe(styled);
    await expect(page.getByLabel('What did you find?')).toBeEditable();
    // B's worker takes over, and A's cache goes, since no page runs A: this
    // one, though A's worker fetched it, is B's — nor does it wait for the
    // next open (a cheap phone keeps one release, not every one it saw).
    const releaseCaches = async () => (await cacheNames(page)).filter((c) => /^fieldcase-[0-9a-f]{16}$/.test(c));
    await expect
      .poll(async () => (await releaseCaches()).filter((c) => cachesA.includes(c)), { timeout: 30_000 })
      .toEqual([]);
    expect(await releaseCaches()).toHaveLength(1);

    // Offline, the phone opens release B from its cache: nothing of A needed.
    await context.setOffline(true);
    await page.reload();
    await expect(page.getByRole('heading', { level: 1, name: links[0].name })).toBeVisible();
    expect(await stylesheet(page)).toBe(`/${after}`);
    expect(await barColour(page)).toBe(styled);
    await expect(page.getByLabel('What did you find?')).toBeEditable();
    expect(before).not.toBe(after);
  } finally {
    await context.setOffline(false);
    await stopServer(server);
    fs.rmSync(root, { recursive: true, force: true });
  }
});
