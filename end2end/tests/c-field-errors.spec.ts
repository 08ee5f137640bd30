import { test, expect, openAsset, writeNotes, fieldOf } from './fixtures';

const ASSET = 'Chiller CH-2';

test('missing fields are named on the review and nothing is sent until they are fixed', async ({
  page,
  assets,
  intakesFor,
}, testInfo) => {
  await openAsset(page, assets[ASSET]);
  await writeNotes(page, 'compressor short cycling, loud rattle on start', '');
  await page.getByRole('button', { name: 'Review' }).click();

  await page.getByLabel('Subject').fill('');

  const subject = fieldOf(page, 'Subject');
  const name = fieldOf(page, 'Your name');
  await expect(subject.getByRole('alert')).toHaveText('Subject is required.');
  await expect(name.getByRole('alert')).toHaveText('Your name is required.');
  await expect(page.getByLabel('Subject')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByRole('heading', { name: 'Fix 2 things before you submit' })).toBeVisible();

  await page.getByRole('button', { name: 'Submit case' }).click();
  await expect(page.getByLabel('Subject')).toBeFocused();
  expect(intakesFor(ASSET)).toHaveLength(0);
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: testInfo.outputPath('review-errors.png') });

  // The summary takes you to the field.
  await page.getByRole('button', { name: 'Your name is required.' }).click();
  await expect(page.getByLabel('Your name')).toBeFocused();

  await page.getByLabel('Subject').fill('Chiller CH-2 compressor short cycling');
  await page.getByLabel('Your name').fill('Sam Lee');
  await expect(page.getByRole('heading', { name: /before you submit/ })).toHaveCount(0);
  await expect(subject.getByRole('alert')).toHaveCount(0);

  await page.getByRole('button', { name: 'Submit case' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Sent for review' })).toBeVisible();

  const stored = intakesFor(ASSET);
  expect(stored).toHaveLength(1);
  expect(stored[0].fields.Subject).toBe('Chiller CH-2 compressor short cycling');
  expect(stored[0].fields.SuppliedName).toBe('Sam Lee');
  expect(stored[0].technician.name).toBe('Sam Lee');
});

test("the server's own field messages are shown on the fields", async ({ page, assets }) => {
  await openAsset(page, assets[ASSET]);
  await writeNotes(page, 'condenser fan noisy', 'Sam Lee');
  await page.getByRole('button', { name: 'Review' }).click();
  await page.getByLabel('Subject').fill('Condenser fan noisy');

  // A rule only the server knows.
  await page.route('**/api/v1/intakes/*', (route) =>
    route.fulfill({
      status: 422,
      contentType: 'application/json',
      body: JSON.stringify({
        code: 'validation_failed',
        message: '1 field needs attention: Subject.',
        fields: { Subject: 'Subject must name the asset.' },
      }),
    }),
  );
  await page.getByRole('button', { name: 'Submit case' }).click();

  const subject = fieldOf(page, 'Subject');
  await expect(subject.getByRole('alert')).toHaveText('Subject must name the asset.');
  await expect(page.getByLabel('Subject')).toBeFocused();
  await expect(page.getByText('1 field needs attention: Subject.')).toBeVisible();
  await expect(page.getByLabel('Subject')).toHaveValue('Condenser fan noisy');

  // Editing the field clears the server's message for it.
  await page.getByLabel('Subject').fill('Chiller CH-2 condenser fan noisy');
  await expect(subject.getByRole('alert')).toHaveCount(0);
});
