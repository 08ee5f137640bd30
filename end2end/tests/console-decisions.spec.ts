import { test, expect, signIn, submitByApi, openAsset, STAFF } from './fixtures';

// What a dispatcher decides reaches the technician's link: a rejection's
// reason; a question, which the technician answers by amending the same
// intake — one intake, one case.
const ASSET = 'Forklift FL-07';

test('a rejection reason reaches the technician', async ({ page, browser, request, assets }, testInfo) => {
  const subject = `Forklift FL-07 horn weak (${testInfo.project.name}-${Date.now()})`;
  const id = await submitByApi(request, assets[ASSET], subject, 'Low');
  await signIn(page);
  await page.goto(`/console/intakes/${id}`);
  await page.getByRole('button', { name: 'Reject…' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByRole('button', { name: 'Reject', exact: true }).click();
  await expect(dialog.getByRole('alert')).not.toBeEmpty();
  await dialog.getByLabel('Reason (the technician sees it)').fill('Duplicate of FC-0000-0000: already booked.');
  await dialog.getByRole('button', { name: 'Reject', exact: true }).click();
  await expect(page.getByText('Rejected: Duplicate of FC-0000-0000')).toBeVisible();

  const phone = await browser.newPage({ viewport: { width: 412, height: 915 } });
  await openAsset(phone, assets[ASSET]);
  await expect(phone.getByText('Duplicate of FC-0000-0000: already booked.')).toBeVisible();
  await phone.close();
});

test('return, amend and resubmit, approve: one intake and one case', async ({
  page,
  browser,
  request,
  assets,
  intakesFor,
}, testInfo) => {
  const subject = `Forklift FL-07 mast chain noisy (${testInfo.project.name}-${Date.now()})`;
  const id = await submitByApi(request, assets[ASSET], subject, 'Medium');
  await signIn(page);
  await page.goto(`/console/intakes/${id}`);
  await page.getByRole('button', { name: 'Return to technician…' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('Question for the technician').fill('Left or right mast chain?');
  await dialog.getByRole('button', { name: 'Return', exact: true }).click();
  await expect(page.getByText('Left or right mast chain?').first()).toBeVisible();

  // The technician answers on the asset's link.
  const phone = await browser.newPage({ viewport: { width: 412, height: 915 } });
  await openAsset(phone, assets[ASSET]);
  await expect(phone.getByText('Left or right mast chain?')).toBeVisible();
  await phone.getByRole('button', { name: 'Answer and resend' }).click();
  const notes = phone.getByLabel('What did you find?');
  // The returned report is in the draft: the technician adds their answer.
  await expect(notes).toHaveValue(/leaking at the seal/);
  await notes.fill(`${await notes.inputValue()} The left chain, near the top.`);
  await phone.getByRole('button', { name: 'Review' }).click();
  await phone.getByRole('button', { name: 'Submit case' }).click();
  await expect(phone.getByRole('heading', { level: 1, name: 'Sent for review' })).toBeVisible();
  await phone.close();

  // Back in the queue as the same intake, at its next revision.
  await page.goto(`/console/intakes/${id}`);
  await expect(page.getByText('The left chain, near the top.').first()).toBeVisible();
  await page.getByRole('button', { name: 'Approve', exact: true }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Approve', exact: true }).click();
  await expect
    .poll(() => intakesFor(ASSET).filter((i) => i.fields.Subject === subject).map((i) => i.status), {
      timeout: 20_000,
    })
    .toEqual(['written']);
  expect(intakesFor(ASSET).filter((i) => i.id === id)).toHaveLength(1);
  void STAFF;
});
