import { test, expect, openAsset, writeNotes, PHOTO, type DemoLink } from './fixtures';
import type { Page } from '@playwright/test';

// Offline: the service worker, the draft and its photos in IndexedDB, the
// outbox. Shares its asset with other specs: its intakes are told apart by
// their notes.
const ASSET = 'Forklift FL-07';

/** The service worker of this release controls the page (it does after the first visit's install). */
async function workerInControl(page: Page) {
  await expect
    .poll(() => page.evaluate(() => navigator.serviceWorker?.controller?.state ?? 'none'), { timeout: 20_000 })
    .toBe('activated');
}

/** The connection panel above every screen. */
const status = (page: Page) => page.getByRole('region', { name: 'Connection' });

/** A picture unlike the fixture's: a PNG drawn by the page's canvas. */
async function anotherPhoto(page: Page) {
  const base64 = await page.evaluate(() => {
    const c = document.createElement('canvas');
    c.width = 320;
    c.height = 240;
    const g = c.getContext('2d')!;
    g.fillStyle = '#3a6';
    g.fillRect(0, 0, 320, 240);
    g.fillStyle = '#c33';
    g.fillRect(40, 40, 120, 90);
    return c.toDataURL('image/png').split(',')[1];
  });
  return { name: 'another.png', mimeType: 'image/png', buffer: Buffer.from(base64, 'base64') };
}

async function openInControl(page: Page, asset: DemoLink) {
  await openAsset(page, asset);
  await workerInControl(page);
}

test('offline, a reload opens the app, the asset and the draft, photos included', async ({
  page,
  context,
  assets,
}) => {
  await openInControl(page, assets[ASSET]);
  const notes = `mast chain slack, offline reload ${Date.now()}`;
  await writeNotes(page, notes, 'Sam Ortiz');
  await page.getByLabel('Choose from gallery').setInputFiles(PHOTO);
  await expect(page.getByText('Attached')).toBeVisible();

  await context.setOffline(true);
  // A photo taken with no signal: it cannot upload, and it must not vanish.
  // (Another picture: the same one again is refused as already attached.)
  await page.getByLabel('Choose from gallery').setInputFiles(await anotherPhoto(page));
  await expect(page.getByRole('img', { name: 'Photo 2' })).toBeVisible();
  await expect(status(page)).toContainText('Offline');

  await page.reload();
  await expect(page.getByRole('heading', { level: 1, name: ASSET })).toBeVisible();
  await expect(page.getByLabel('What did you find?')).toHaveValue(notes);
  await expect(page.getByLabel('Your name')).toHaveValue('Sam Ortiz');
  for (const name of ['Photo 1', 'Photo 2']) {
    const img = page.getByRole('img', { name });
    await expect(img).toBeVisible();
    await expect.poll(() => img.evaluate((i: HTMLImageElement) => i.naturalWidth)).toBeGreaterThan(0);
  }
  await page.screenshot({ path: `/tmp/shots-wip-offline/offline-reload-${test.info().project.name}.png`, fullPage: true });

  // The review engine was cached too: the review opens offline.
  await page.getByRole('button', { name: 'Review' }).click();
  await expect(page.getByLabel('Subject')).toBeVisible();
  await context.setOffline(false);
});

test('submitted offline: queued at once, then sent by itself exactly once when the connection returns', async ({
  page,
  context,
  assets,
  intakesFor,
}) => {
  await openInControl(page, assets[ASSET]);
  const notes = `forks drift down under load, hydraulic seep ${Date.now()}`;
  const mine = () => intakesFor(ASSET).filter((i) => i.notes === notes);
  await writeNotes(page, notes);

  await context.setOffline(true);
  await page.getByLabel('Choose from gallery').setInputFiles(PHOTO);
  await expect(page.getByRole('img', { name: 'Photo 1' })).toBeVisible();
  await page.getByRole('button', { name: 'Review' }).click();
  await page.getByLabel('Subject').fill('Forklift FL-07 forks drift down under load');

  // Tap → queued: timed in the page, from the tap to the confirmation.
  await page.evaluate(() => {
    const w = window as unknown as { tap?: number; queued?: number };
    document.addEventListener('click', () => (w.tap ??= performance.now()), { capture: true });
    new MutationObserver(() => {
      if (document.querySelector('h1')?.textContent?.startsWith('Queued')) w.queued ??= performance.now();
    }).observe(document.body, { childList: true, subtree: true });
  });
  await page.getByRole('button', { name: 'Submit case' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Queued — will send by itself' })).toBeVisible();
  const ms = await page.evaluate(() => {
    const w = window as unknown as { tap: number; queued: number };
    return w.queued - w.tap;
  });
  console.log(`tap → queued: ${ms.toFixed(0)} ms`);
  // Queued at once, never after waiting for a network timeout. (The 100 ms
  // target is a benchmark figure, not a timed test: a busy test machine
  // varies by tens of milliseconds.)
  expect(ms).toBeLessThanOrEqual(1_000);
  await expect(status(page)).toContainText('Offline · 1 waiting to send');
  await expect(status(page)).toContainText(`${ASSET}: waiting to send`);
  await page.screenshot({ path: `/tmp/shots-wip-offline/queued-${test.info().project.name}.png`, fullPage: true });

  // Still offline after a reload: still queued, nothing sent.
  await page.reload();
  await expect(status(page)).toContainText('1 waiting to send');
  expect(mine()).toHaveLength(0);

  // The connection returns; nobody taps anything.
  await context.setOffline(false);
  await expect.poll(() => mine().length, { timeout: 20_000 }).toBe(1);
  const [intake] = mine();
  expect(intake.photos).toHaveLength(1);
  await expect(status(page)).toContainText(`${ASSET}: sent, reference ${intake.reference}.`);
  await expect(status(page)).toContainText(/Online · last sent \d{1,2}:\d\d(\s[AP]M)?/);

  // The outbox keeps trying on a timer: nothing more arrives.
  await page.waitForTimeout(6_000);
  expect(mine()).toHaveLength(1);
});

test("an asset's link never opened on this phone, opened offline: notes and photos now, its details when the connection returns", async ({
  page,
  context,
  assets,
  intakesFor,
}) => {
  // The app itself was opened before (another asset), so the phone has it.
  await openInControl(page, assets[ASSET]);
  const unseen = assets['Backup generator G-1'];
  const notes = `alarm 305 on start, battery 11.2 V ${Date.now()}`;
  const mine = () => intakesFor(unseen.name).filter((i) => i.notes === notes);

  await context.setOffline(true);
  await page.goto(`/a/${unseen.token}`);
  await expect(page.getByRole('heading', { level: 1, name: 'Equipment details not loaded yet' })).toBeVisible();
  await expect(page.getByText("the details load when you're back online")).toBeVisible();
  await writeNotes(page, notes);
  await page.getByLabel('Choose from gallery').setInputFiles(PHOTO);
  await expect(page.getByRole('img', { name: 'Photo 1' })).toBeVisible();
  await page.screenshot({ path: `/tmp/shots-wip-offline/unseen-${test.info().project.name}.png`, fullPage: true });

  // The review needs the asset's details: it says so, and waits.
  await page.getByRole('button', { name: 'Review' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'your work is saved on this phone' })).toBeVisible();
  await page.getByRole('button', { name: 'Back to notes' }).click();

  // Back online: the details arrive by themselves, nothing typed is lost.
  await context.setOffline(false);
  await expect(page.getByRole('heading', { level: 1, name: unseen.name })).toBeVisible({ timeout: 15_000 });
  await expect(page.getByLabel('What did you find?')).toHaveValue(notes);
  await page.getByRole('button', { name: 'Review' }).click();
  await page.getByLabel('Subject').fill('Backup generator G-1 does not start, alarm 305');
  await page.getByRole('button', { name: 'Submit case' }).click();
  // The photo taken offline goes with it.
  await expect.poll(() => mine().length, { timeout: 20_000 }).toBe(1);
  expect(mine()[0].photos).toHaveLength(1);
});

test('a draft an older version saved in localStorage moves to IndexedDB once, and nothing of it is lost', async ({
  page,
  assets,
}) => {
  const asset = assets['Chiller CH-2'];
  await openAsset(page, asset);
  const notes = `compressor short-cycling, saved by an older version ${Date.now()}`;
  const key = `fieldcase.draft.${asset.token.toUpperCase()}`;
  // What the app used to write: the draft's JSON in localStorage, nothing in IndexedDB.
  // Written from a page of the same origin where the app is not running, as it would be
  // on a phone the new version has not opened yet: the running app's own autosave would
  // otherwise race the test's writes (a save that lands after them clears that copy).
  await page.goto('/healthz');
  await page.evaluate(
    async ([key, notes, token]) => {
      const db: IDBDatabase = await new Promise((ok, no) => {
        const r = indexedDB.open('fieldcase', 1);
        // The app may not have opened its database yet: make it as the app does, or the
        // test's bare open would leave a version-1 database without the stores.
        r.onupgradeneeded = () => {
          for (const s of ['drafts', 'photos', 'outbox', 'meta']) {
            if (!r.result.objectStoreNames.contains(s)) r.result.createObjectStore(s);
          }
        };
        r.onsuccess = () => ok(r.result);
        r.onerror = () => no(r.error);
      });
      await new Promise((ok) => {
        const t = db.transaction('drafts', 'readwrite');
        t.objectStore('drafts').delete(token);
        t.oncomplete = ok;
      });
      db.close();
      localStorage.setItem(key, JSON.stringify({ notes, edits: { Priority: 'High' }, photos: [], intake_id: null, reviewing: false }));
    },
    [key, notes, asset.token.toUpperCase()],
  );
  await openAsset(page, asset);
  await expect(page.getByLabel('What did you find?')).toHaveValue(notes);
  await expect.poll(() => page.evaluate((k) => localStorage.getItem(k), key)).toBeNull();
  // Moved, not copied: a reload reads it from IndexedDB.
  await page.reload();
  await expect(page.getByLabel('What did you find?')).toHaveValue(notes);
});

test('words IndexedDB refused to keep are kept in localStorage, and a reload shows them, not the older copy', async ({
  page,
  assets,
}) => {
  const asset = assets['Chiller CH-2'];
  await openAsset(page, asset);
  const box = page.getByLabel('What did you find?');
  const key = `fieldcase.draft.${asset.token.toUpperCase()}`;
  const first = `condenser fan noisy, first words ${Date.now()}`;
  await box.fill(first);
  // Saved in IndexedDB.
  const saved = () =>
    page.evaluate(
      (token) =>
        new Promise<string | null>((ok) => {
          const r = indexedDB.open('fieldcase', 1);
          r.onsuccess = () => {
            const g = r.result.transaction('drafts', 'readonly').objectStore('drafts').get(token);
            g.onsuccess = () => ok(g.result ?? null);
            g.onerror = () => ok(null);
          };
          r.onerror = () => ok(null);
        }),
      asset.token.toUpperCase(),
    );
  await expect.poll(saved).toContain(first);
  // The disk fills up: IndexedDB refuses every write from now on.
  await page.evaluate(() => {
    IDBObjectStore.prototype.put = () => {
      throw new DOMException('The disk is full', 'QuotaExceededError');
    };
  });
  const more = `${first}, then the fan stopped`;
  await box.fill(more);
  await expect.poll(() => page.evaluate((k) => localStorage.getItem(k), key)).toContain('then the fan stopped');
  // IndexedDB still holds the older words; the newer ones are what comes back.
  expect(await saved()).not.toContain('then the fan stopped');
  await page.reload();
  await expect(box).toHaveValue(more);
  // And they are in IndexedDB again, the copy in localStorage gone.
  await expect.poll(saved).toContain('then the fan stopped');
  await expect.poll(() => page.evaluate((k) => localStorage.getItem(k), key)).toBeNull();
});
