import { test, expect, openAsset, writeNotes, PHOTO, fieldOf } from './fixtures';

const ASSET = 'Roller door RD-5';

test('a reload in the middle of a report keeps notes, photos, details and edits', async ({
  page,
  assets,
}) => {
  await openAsset(page, assets[ASSET]);
  const notes = 'door drops 20cm after closing, limit switch loose, motor hums';
  await writeNotes(page, notes, 'Alex Kim');
  await page.getByLabel('Your phone').fill('+44 20 7946 0958');
  await page.getByLabel('Choose from gallery').setInputFiles(PHOTO);
  await expect(page.getByText('Attached')).toBeVisible();

  await page.reload();
  await expect(page.getByLabel('What did you find?')).toHaveValue(notes);
  await expect(page.getByLabel('Your name')).toHaveValue('Alex Kim');
  await expect(page.getByLabel('Your phone')).toHaveValue('+44 20 7946 0958');
  const photo = page.getByRole('img', { name: 'Photo 1' });
  await expect(photo).toBeVisible();
  // The thumbnail now comes from the server, and it is a real image.
  await expect(photo).toHaveAttribute('src', /\/photos\/[0-9a-f]{64}\/thumb$/);
  await expect.poll(() => photo.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(0);

  await page.getByRole('button', { name: 'Review' }).click();
  await page.getByLabel('Subject').fill('Roller door RD-5 drops after closing');
  await page.reload();
  await expect(page.getByRole('heading', { level: 1, name: 'Check the case' })).toBeVisible();
  await expect(page.getByLabel('Subject')).toHaveValue('Roller door RD-5 drops after closing');
  await expect(fieldOf(page, 'Subject')).toContainText('Edited by you');
  await expect(page.getByRole('heading', { name: 'Photos: 1 attached' })).toBeVisible();

  await page.getByRole('button', { name: 'Back to notes' }).click();
  await expect(page.getByLabel('What did you find?')).toHaveValue(notes);
});
