import { test, expect, openAsset, writeNotes, NOT_A_PHOTO, PHOTO } from './fixtures';

const ASSET = 'Forklift FL-07';

test('a file that is not a photo is refused with the reason, and nothing typed is lost', async ({
  page,
  assets,
}) => {
  await openAsset(page, assets[ASSET]);
  const notes = 'mast chain slack, hydraulic fluid dripping under the left fork';
  await writeNotes(page, notes);

  await page.getByLabel('Choose from gallery').setInputFiles(NOT_A_PHOTO);
  await expect(page.getByRole('alert')).toContainText('That file is not a photo we can read');
  await expect(page.getByLabel('What did you find?')).toHaveValue(notes);
  await expect(page.getByLabel('Your name')).toHaveValue('Dana Okafor');

  await page.getByRole('button', { name: 'Remove photo 1' }).click();
  await expect(page.getByRole('alert')).toHaveCount(0);

  // A real photo still goes through.
  await page.getByLabel('Choose from gallery').setInputFiles(PHOTO);
  await expect(page.getByText('Attached')).toBeVisible();
  await expect(page.getByLabel('What did you find?')).toHaveValue(notes);
});
