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

test('offline at Submit: queued on the phone, and sent by itself once the connection returns', async ({
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
  await expect(page.getByRole('heading', { level: 1, name: 'Queued — will send by itself' })).toBeVisible();
  const connection = page.getByRole('region', { name: 'Connection' });
  await expect(connection).toContainText('1 waiting to send');
  expect(intakesFor(ASSET).length - before).toBe(0);

  // No tap: the connection returning is enough, and it is sent once.
  await context.setOffline(false);
  await expect.poll(() => intakesFor(ASSET).length - before, { timeout: 20_000 }).toBe(1);
  const [sent] = intakesFor(ASSET).slice(before);
  expect(sent.fields.Subject).toBe('fan vibration at high speed, bearing noise');
  await expect(connection).toContainText(`sent, reference ${sent.reference}`);
});

test('an answer lost on the way back: the phone sends it again by itself, and no second intake is made', async ({
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
  await expect(page.getByRole('heading', { level: 1, name: 'Queued — will send by itself' })).toBeVisible();

  // The queue sends it again with the same intake id: the server answers
  // with the receipt it gave the first time.
  const connection = page.getByRole('region', { name: 'Connection' });
  await expect(connection).toContainText(/sent, reference FC-/, { timeout: 20_000 });
  const added = intakesFor(ASSET).slice(before);
  expect(added).toHaveLength(1);
  await expect(connection).toContainText(`sent, reference ${added[0].reference}`);

  // A reload does not send it a third time.
  await page.reload();
  await expect(connection).toContainText(`sent, reference ${added[0].reference}`);
  expect(intakesFor(ASSET).slice(before)).toHaveLength(1);
});
