import { test, expect, openAsset, writeNotes } from './fixtures';

// One asset for the whole file: the tests run in order and count what they add.
const ASSET = 'Air handler AHU-3';

async function toReview(page: import('@playwright/test').Page, notes: string) {
  await writeNotes(page, notes);
  await page.getByRole('button', { name: 'Review' }).click();
  await page.getByLabel('Subject').fill(notes.slice(0, 60));
}

test('a double tap on Submit sends one intake', async ({ page, assets, intakesFor }) => {
  const before = intakesFor(ASSET).length;
  await openAsset(page, assets[ASSET]);
  await toReview(page, 'belt squeal on start, filter bank clogged');

  let puts = 0;
  page.on('request', (r) => {
    if (r.method() === 'PUT' && r.url().includes('/api/v1/intakes/')) puts++;
  });
  await page.getByRole('button', { name: 'Submit case' }).dblclick();
  await expect(page.getByRole('heading', { name: 'Sent for review' })).toBeVisible();

  expect(puts).toBe(1);
  expect(intakesFor(ASSET).length - before).toBe(1);
});

test('offline at Submit: the work is kept, and Retry sends it once', async ({
  page,
  context,
  assets,
  intakesFor,
}) => {
  const before = intakesFor(ASSET).length;
  await openAsset(page, assets[ASSET]);
  await toReview(page, 'fan vibration at high speed, bearing noise');

  await context.setOffline(true);
  await page.getByRole('button', { name: 'Submit case' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'your work is saved on this phone' })).toBeVisible();
  await expect(page.getByLabel('Subject')).toHaveValue('fan vibration at high speed, bearing noise');
  expect(intakesFor(ASSET).length - before).toBe(0);

  await context.setOffline(false);
  await page.getByRole('button', { name: 'Retry' }).click();
  await expect(page.getByRole('heading', { name: 'Sent for review' })).toBeVisible();
  expect(intakesFor(ASSET).length - before).toBe(1);
});

test('an answer lost on the way back: after a reload, Submit again makes no second intake', async ({
  page,
  assets,
  intakesFor,
}) => {
  const before = intakesFor(ASSET).length;
  await openAsset(page, assets[ASSET]);
  await toReview(page, 'damper actuator stuck half open');

  // The server stores it, but the phone never hears back.
  await page.route(
    '**/api/v1/intakes/*',
    async (route) => {
      await route.fetch();
      await route.abort('internetdisconnected');
    },
    { times: 1 },
  );
  await page.getByRole('button', { name: 'Submit case' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'your work is saved on this phone' })).toBeVisible();
  expect(intakesFor(ASSET).length - before).toBe(1);

  // The technician reloads: still on the review, everything there.
  await page.reload();
  await expect(page.getByRole('heading', { level: 1, name: 'Check the case' })).toBeVisible();
  await expect(page.getByLabel('Subject')).toHaveValue('damper actuator stuck half open');

  await page.getByRole('button', { name: 'Submit case' }).click();
  await expect(page.getByRole('heading', { name: 'Sent for review' })).toBeVisible();
  const reference = (await page.locator('#reference').textContent())?.trim();

  const added = intakesFor(ASSET).slice(before);
  expect(added).toHaveLength(1);
  expect(intakesFor(ASSET).some((i) => i.reference === reference)).toBe(true);
});
