import { test, expect, openAsset, writeNotes, approveByApi, PHOTO } from './fixtures';

// The whole journey: QR link → notes and a photo → review → submit → a
// dispatcher's review → the case, with its photo as a Salesforce File, in the
// (demo) Salesforce org.
const ASSET = 'Backup generator G-1';

async function submitGeneratorReport(page: import('@playwright/test').Page, marker: string) {
  await writeNotes(page, `generator wont start on weekly test, alarm 305, battery 11.2 V (${marker})`);
  await page.getByLabel('Choose from gallery').setInputFiles(PHOTO);
  await expect(page.getByText('Attached')).toBeVisible();
  await page.getByRole('button', { name: 'Review' }).click();
  const subject = `Generator G-1 no start, alarm 305 (${marker})`;
  await page.getByLabel('Subject').fill(subject);
  await page.getByRole('button', { name: 'Submit case' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Sent for review' })).toBeVisible();
  return subject;
}

test('a submitted intake waits for a dispatcher before it becomes a case', async ({
  page,
  assets,
  intakesFor,
}, testInfo) => {
  await openAsset(page, assets[ASSET]);
  const subject = await submitGeneratorReport(page, `run ${testInfo.project.name}-${Date.now()}`);
  await expect(page.getByText('A dispatcher checks it before it becomes a case.')).toBeVisible();
  expect(intakesFor(ASSET).find((i) => i.fields.Subject === subject)?.status).toBe('submitted');
});

// A case reaches the org only once a dispatcher approves the intake (the
// console's own flows are console-*.spec.ts; here the approval is one API call).
test('a submitted intake becomes a Salesforce case with its photo once approved', async ({
  page,
  assets,
  intakesFor,
  orgUrl,
  baseURL,
}, testInfo) => {
  const generator = assets[ASSET];
  await openAsset(page, generator);
  const marker = `run ${testInfo.project.name}-${Date.now()}`;
  const subject = await submitGeneratorReport(page, marker);

  const submitted = intakesFor(ASSET).find((i) => i.fields.Subject === subject);
  expect(submitted?.status).toBe('submitted');
  await approveByApi(page.request, baseURL ?? '', submitted?.id ?? '');

  // fieldcase writes it to Salesforce in the background: wait for the case.
  await expect
    .poll(() => intakesFor(ASSET).find((i) => i.fields.Subject === subject)?.status, {
      timeout: 20_000,
    })
    .toBe('written');

  // What a newcomer sees in the demo org: the case, its fields, its photo.
  const org = await page.context().newPage();
  await org.goto(orgUrl);
  const row = org.getByRole('row').filter({ hasText: subject });
  await expect(row).toHaveCount(1);
  await expect(row).toContainText('Backup generator G-1');
  await row.getByRole('link').first().click();
  await expect(org.getByText(subject).first()).toBeVisible();
  await expect(org.getByRole('heading', { name: 'Files (1)' })).toBeVisible();
  await expect(org.getByRole('img').first()).toBeVisible();
  await org.screenshot({ path: testInfo.outputPath('case-in-org.png'), fullPage: true });
});
