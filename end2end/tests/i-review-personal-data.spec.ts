import { test, expect, openAsset, writeNotes } from './fixtures';

// A technician writes the customer's card number into the notes: the review
// names it (its kind, the words marked) before Submit, without stopping it;
// taken out of the notes, the notice goes.
const ASSET = 'Feed pump P-12';

test('the review shows personal data in the notes with its kind', async ({ page, assets }, testInfo) => {
  await openAsset(page, assets[ASSET]);
  await writeNotes(page, 'pump leaking at the seal, 3.2 bar. cust paid callout with card 4111 1111 1111 1111');
  await page.getByRole('button', { name: 'Review' }).click();
  const notice = page.getByRole('status').filter({ hasText: 'Personal data in this report' });
  await expect(notice).toBeVisible();
  // In the notes and the Description made from them: listed once.
  await expect(notice.getByRole('listitem')).toHaveCount(1);
  await expect(notice.getByRole('listitem')).toContainText('card number · your notes');
  await expect(notice.locator('mark')).toHaveText('4111 1111 1111 1111');
  await page.screenshot({ path: testInfo.outputPath('review-personal-data.png'), fullPage: true });

  // Taken out of the notes (Back to them, as the phone's Back does), the
  // notice goes; a reading and an order number are not personal data.
  await page.goBack();
  await writeNotes(page, 'pump leaking at the seal, 3.2 bar. PO 4500012345');
  await page.getByRole('button', { name: 'Review' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Check the case' })).toBeVisible();
  await expect(page.getByText('Personal data in this report')).toHaveCount(0);
});
