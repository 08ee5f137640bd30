import { test, expect, openAsset, writeNotes, PHOTO, fieldOf } from './fixtures';

const ASSET = 'Feed pump P-12';

test('a technician reports a leaking pump, checks the case and gets a reference', async ({
  page,
  assets,
  intakesFor,
}, testInfo) => {
  // The page runs under the server's strict CSP: any violation or script error fails the test.
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || /Content.Security.Policy/i.test(m.text())) problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));

  const pump = assets[ASSET];
  await openAsset(page, pump);

  // What it is, where, whose.
  const card = page.getByRole('region', { name: ASSET });
  await expect(card.getByText('Grundfos CR 32')).toBeVisible();
  await expect(card.getByText('GP-44817')).toBeVisible();
  await expect(card.getByText('Northwind Foods').first()).toBeVisible();
  await expect(card.getByText(/Leeds plant/)).toBeVisible();

  await writeNotes(page, 'pump leaking bad at the seal, 3.2 bar, E-42, smoke near motor');
  await page.getByLabel('Choose from gallery').setInputFiles(PHOTO);
  await expect(page.getByText('Attached')).toBeVisible();
  await expect(page.getByRole('img', { name: 'Photo 1' })).toBeVisible();

  await page.getByRole('button', { name: 'Review' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Check the case' })).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath('review.png'), fullPage: true });
  await page.screenshot({ path: testInfo.outputPath('review-top.png') });

  // Every proposed value shows the words that set it.
  await expect(page.getByLabel('Priority')).toHaveValue('High');
  const priority = fieldOf(page, 'Priority');
  await expect(priority.locator('mark', { hasText: 'smoke' })).toBeVisible();
  await expect(priority).toContainText('From your notes');

  await expect(page.getByLabel('Error code')).toHaveValue('E-42');
  await expect(fieldOf(page, 'Error code').locator('mark')).toHaveText('E-42');
  await expect(page.getByLabel('Meter reading')).toHaveValue(/3\.2 bar/);
  await expect(page.getByLabel('Your name')).toHaveValue('Dana Okafor');
  await expect(fieldOf(page, 'Your name')).toContainText('From your details');

  // The technician knows better: it is an electrical fault.
  await page.getByLabel('Type').selectOption('Electrical');
  await expect(fieldOf(page, 'Type')).toContainText('Edited by you');
  await page.getByLabel('Type').scrollIntoViewIfNeeded();
  await page.screenshot({ path: testInfo.outputPath('review-edited.png') });
  const subject = await page.getByLabel('Subject').inputValue();
  expect(subject.length).toBeGreaterThan(0);

  await page.getByRole('button', { name: 'Submit case' }).click();

  await expect(page.getByRole('heading', { level: 1, name: 'Sent for review' })).toBeVisible();
  const reference = (await page.locator('#reference').textContent())?.trim() ?? '';
  expect(reference).toMatch(/^FC-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
  await expect(page.getByText('Quote this reference to your dispatcher')).toBeVisible();
  await expect(page.getByText('1 photo sent')).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath('submitted.png') });
  // The reference is copied for a message to the dispatcher, and the button says so.
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.getByRole('button', { name: 'Copy reference' }).click();
  await expect(page.getByRole('button', { name: 'Copied' })).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(reference);

  expect(problems).toEqual([]);

  // Exactly one intake, with the technician's edit and the photo.
  const stored = intakesFor(ASSET);
  expect(stored).toHaveLength(1);
  expect(stored[0].reference).toBe(reference);
  expect(stored[0].fields.Type).toBe('Electrical');
  expect(stored[0].fields.Priority).toBe('High');
  expect(stored[0].fields.Error_Code__c).toBe('E-42');
  expect(stored[0].fields.SuppliedName).toBe('Dana Okafor');
  expect(stored[0].photos).toHaveLength(1);
  expect(stored[0].notes).toContain('smoke near motor');

  // Another issue on the same asset: a clean page, the technician remembered.
  await page.getByRole('button', { name: 'Report another issue on this asset' }).click();
  await expect(page.getByLabel('What did you find?')).toHaveValue('');
  await expect(page.getByLabel('Your name')).toHaveValue('Dana Okafor');
  await expect(page.getByRole('img', { name: 'Photo 1' })).toHaveCount(0);
});
