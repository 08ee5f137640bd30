import { test, expect, signIn, submitByApi, STAFF } from './fixtures';

// Two dispatchers on one intake: the second one's stale edit is refused with
// a message saying who changed what, and overwrites nothing.
const ASSET = 'Air handler AHU-3';

test('the second of two dispatchers editing one intake gets the conflict message', async ({
  page,
  browser,
  request,
  assets,
}, testInfo) => {
  const subject = `AHU-3 belt squeal (${testInfo.project.name}-${Date.now()})`;
  const id = await submitByApi(request, assets[ASSET], subject, 'Medium');

  const other = await browser.newPage({ viewport: page.viewportSize() ?? undefined });
  await signIn(page, STAFF.dispatcher);
  await signIn(other, STAFF.admin);
  await page.goto(`/console/intakes/${id}`);
  await other.goto(`/console/intakes/${id}`);
  await expect(other.getByRole('heading', { level: 1 })).toContainText(subject);

  await page.getByRole('combobox', { name: /^Priority\b/ }).selectOption('High');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.getByText('Saved.')).toBeVisible();

  await other.getByRole('combobox', { name: /^Priority\b/ }).selectOption('Low');
  await other.getByRole('button', { name: 'Save changes' }).click();
  const alert = other.getByRole('alert').filter({ hasText: 'changed Priority' });
  await expect(alert).toContainText('dispatcher@fieldcase.example changed Priority');
  await expect(other.getByRole('button', { name: 'Reload the latest' })).toBeVisible();
  // What the second dispatcher chose is still on their screen; the first one's value stands.
  await expect(other.getByRole('combobox', { name: /^Priority\b/ })).toHaveValue('Low');
  await page.reload();
  await expect(page.getByRole('combobox', { name: /^Priority\b/ })).toHaveValue('High');
  await other.close();
});
