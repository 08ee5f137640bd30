import { test, expect, signIn, submitByApi, editByApi } from './fixtures';

// A dispatcher works down the queue with the keyboard while technicians keep
// submitting and other dispatchers keep correcting: an intake that arrives
// live, and sorts above, or a change to the very row they are on, leaves the
// dispatcher's place alone, and the keys go on from there.
const ASSET = 'Chiller CH-2';

test('an intake arriving live keeps the dispatcher where they were in the queue', async ({
  page,
  request,
  assets,
  baseURL,
}, testInfo) => {
  test.skip(testInfo.project.name !== 'desktop', 'a console flow: desktop only');
  const run = Date.now();
  const first = `Chiller CH-2 drain pan full (${run})`;
  const second = `Chiller CH-2 panel door loose (${run})`;
  // Low, so newer High intakes sort above them; the older one comes first.
  const firstId = await submitByApi(request, assets[ASSET], first, 'Low');
  await submitByApi(request, assets[ASSET], second, 'Low');

  await signIn(page);
  // Only this run's intakes (the other workers' keep arriving too).
  await page.getByLabel('Search notes and subjects').fill(String(run));
  await page.getByRole('button', { name: 'Apply filters' }).click();
  const firstLink = page.getByRole('row').filter({ hasText: first }).getByRole('link');
  const secondLink = page.getByRole('row').filter({ hasText: second }).getByRole('link');
  await expect(firstLink).toBeVisible();
  await expect(secondLink).toBeVisible();

  // The dispatcher tabs to the first, and the row shows it is the one.
  await firstLink.focus();
  await expect(firstLink).toBeFocused();
  await expect(page.getByRole('row').filter({ hasText: first })).toHaveClass(/\bselected\b/);

  // A technician submits a High intake: it arrives above, without a reload.
  const urgent = `Chiller CH-2 refrigerant alarm (${run})`;
  await submitByApi(request, assets[ASSET], urgent, 'High');
  await expect(page.getByRole('row').filter({ hasText: urgent })).toBeVisible();

  // The dispatcher is still on the same intake, which is still the selected row.
  await expect(firstLink).toBeFocused();
  await expect(page.getByRole('row').filter({ hasText: first })).toHaveClass(/\bselected\b/);
  await expect(page.getByRole('row').filter({ hasText: urgent })).not.toHaveClass(/\bselected\b/);

  // Another dispatcher corrects the subject of the very intake this one is
  // on: the row shows the new words where it was, and keeps the focus.
  const corrected = `Chiller CH-2 drain pan overflowing (${run})`;
  await editByApi(request, baseURL!, firstId, { Subject: corrected });
  const correctedRow = page.getByRole('row').filter({ hasText: corrected });
  await expect(correctedRow).toBeVisible();
  await expect(correctedRow.getByRole('link')).toBeFocused();
  await expect(correctedRow).toHaveClass(/\bselected\b/);

  // j moves to the next one down, Enter opens it.
  await page.keyboard.press('j');
  await expect(secondLink).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { level: 1 })).toContainText(second);
});
