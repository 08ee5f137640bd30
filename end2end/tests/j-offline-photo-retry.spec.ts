import { test, expect, openAsset, writeNotes } from './fixtures';
import type { Page } from '@playwright/test';

// A photo taken with no signal tries a few times, then waits; when the
// connection returns it goes by itself, with no tap on Retry and no intake
// queued. The back-off's pauses (about 80 s in all) pass on the page's clock
// (Playwright's fake timers), so the flow takes seconds, not minutes.
const ASSET = 'Forklift FL-07';

/** A picture of its own (the server keeps photos by content). */
async function freshPhoto(page: Page) {
  const base64 = await page.evaluate((seed) => {
    const c = document.createElement('canvas');
    c.width = 320;
    c.height = 240;
    const g = c.getContext('2d')!;
    g.fillStyle = `hsl(${seed % 360} 60% 50%)`;
    g.fillRect(0, 0, 320, 240);
    g.fillStyle = '#222';
    g.fillText(String(seed), 20, 20);
    return c.toDataURL('image/png').split(',')[1];
  }, Date.now());
  return { name: 'offline.png', mimeType: 'image/png', buffer: Buffer.from(base64, 'base64') };
}

test('a photo that gave up while offline uploads by itself when the connection returns', async ({
  page,
  context,
  assets,
}, testInfo) => {
  await page.clock.install();
  await openAsset(page, assets[ASSET]);
  await expect
    .poll(() => page.evaluate(() => navigator.serviceWorker?.controller?.state ?? 'none'), { timeout: 20_000 })
    .toBe('activated');
  await writeNotes(page, `mast tilt cylinder weeping, photo retry ${Date.now()}`, 'Sam Ortiz');
  // photos.js on the page before the signal goes.
  await page.evaluate(() => import(document.querySelector<HTMLMetaElement>('meta[name=fieldcase-photos]')!.content));

  await context.setOffline(true);
  await page.getByLabel('Choose from gallery').setInputFiles(await freshPhoto(page));
  await expect(page.getByRole('img', { name: 'Photo 1' })).toBeVisible();
  // Every automatic try spent: it waits for a connection (or a tap). Each
  // jump of the clock passes one pause (the longest is 45 s); the try after
  // it fails at once, offline, and starts the next pause.
  const retry = page.getByRole('button', { name: 'Retry' });
  let jumps = 0;
  await expect
    .poll(async () => {
      if (await retry.isVisible()) return true;
      await page.clock.fastForward(60_000);
      jumps += 1;
      return false;
    })
    .toBe(true);
  // It did wait: more than one pause passed before it asked for a tap.
  expect(jumps).toBeGreaterThan(1);
  await page.screenshot({ path: testInfo.outputPath('photo-gave-up.png') });

  await context.setOffline(false);
  await expect(page.getByText('Attached')).toBeVisible({ timeout: 15_000 });
  await expect(page.getByRole('button', { name: 'Retry' })).toHaveCount(0);
});
