import { test, expect, signIn, submitByApi, accessibilityViolations } from './fixtures';

// A dispatcher's day: a technician's intake arrives live in the queue, the
// dispatcher corrects its priority, approves it, and the case appears in the
// (demo) Salesforce org with that priority.
const ASSET = 'Chiller CH-2';

test('a new intake arrives live, is corrected, approved and written with the correction', async ({
  page,
  request,
  assets,
  intakesFor,
  orgUrl,
}, testInfo) => {
  await signIn(page);
  await expect(page).toHaveTitle(/Queue · fieldcase$/);
  expect(await accessibilityViolations(page)).toEqual([]);

  const subject = `Chiller CH-2 tripping on low pressure (${testInfo.project.name}-${Date.now()})`;
  await submitByApi(request, assets[ASSET], subject, 'High');
  // No reload: the queue hears of it.
  const row = page.getByRole('row').filter({ hasText: subject });
  await expect(row).toBeVisible();
  await expect(page).toHaveTitle(/^\(\d+\) Queue · fieldcase$/);

  await row.getByRole('link').click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText(subject);
  await expect(page.getByRole('heading', { name: 'History' })).toBeVisible();
  expect(await accessibilityViolations(page)).toEqual([]);

  await page.getByRole('combobox', { name: /^Priority\b/ }).selectOption('Low');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.getByText('Saved.')).toBeVisible();
  await page.getByRole('button', { name: 'Approve', exact: true }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog).toContainText('It will be written to the CRM');
  await dialog.getByRole('button', { name: 'Approve', exact: true }).click();

  await expect
    .poll(() => intakesFor(ASSET).find((i) => i.fields.Subject === subject)?.status, {
      timeout: 20_000,
    })
    .toBe('written');

  const org = await page.context().newPage();
  await org.goto(orgUrl);
  const caseRow = org.getByRole('row').filter({ hasText: subject });
  await expect(caseRow).toHaveCount(1);
  await caseRow.getByRole('link').first().click();
  await expect(org.getByText('Low', { exact: true }).first()).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath('console-intake.png'), fullPage: true });
});
