import { test, expect, openAsset, writeNotes, fieldOf } from './fixtures';

// The review engine (engine/) is a second WebAssembly module, fetched after
// the intake page's first paint; it draws the review's fields and the app
// replaces only what changes. Nothing is submitted here, so any asset will do.
const ASSET = 'Feed pump P-12';

test('the review engine loads after first paint and the review behaves as it always did', async ({
  page,
  assets,
}) => {
  const problems: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error' || /Content.Security.Policy/i.test(m.text())) problems.push(m.text()); });
  page.on('pageerror', (e) => problems.push(e.message));
  const engineRequests: string[] = [];
  page.on('request', (r) => { if (r.url().includes('fieldcase-engine')) engineRequests.push(r.url()); });

  // Not on the start page at all; on the intake page, without being asked.
  await page.goto('/');
  await expect(page.getByRole('heading', { name: 'Scan the QR code on the equipment' })).toBeVisible();
  await page.waitForTimeout(500);
  expect(engineRequests).toHaveLength(0);

  await openAsset(page, assets[ASSET]);
  await expect.poll(() => engineRequests.length).toBe(1);
  // The notes are quoted as text, never as markup.
  await writeNotes(page, 'pump <b>leaking</b> & smoke near motor, "E-42"');
  await page.getByRole('button', { name: 'Review' }).click();
  await expect(page.getByLabel('Priority')).toHaveValue('High');
  await expect(fieldOf(page, 'Priority').locator('q')).toContainText('<b>leaking</b>');
  await expect(fieldOf(page, 'Priority').locator('b')).toHaveCount(0);

  // "Use the suggestion" puts the proposal back, in the control too.
  const proposed = await page.getByLabel('Type').inputValue();
  const other = proposed === 'Electrical' ? 'Mechanical' : 'Electrical';
  await page.getByLabel('Type').selectOption(other);
  await expect(fieldOf(page, 'Type')).toContainText('Edited by you');
  await fieldOf(page, 'Type').getByRole('button', { name: 'Use the suggestion' }).click();
  await expect(page.getByLabel('Type')).toHaveValue(proposed);
  await expect(fieldOf(page, 'Type')).toContainText('From your notes');

  // A checkbox edit is kept across a reload straight into the review.
  const hazard = page.getByLabel('Safety hazard');
  const was = await hazard.isChecked();
  await hazard.setChecked(!was);
  await expect(fieldOf(page, 'Safety hazard')).toContainText('Edited by you');
  await page.reload();
  await expect(page.getByRole('heading', { level: 1, name: 'Check the case' })).toBeVisible();
  await expect(page.getByLabel('Safety hazard')).toBeChecked({ checked: !was });
  await expect(fieldOf(page, 'Safety hazard')).toContainText('Edited by you');

  // Problems appear and go as the technician types (their details are
  // folded on one line: "change" opens them).
  await page.getByText('change', { exact: true }).click();
  await page.getByLabel('Your email').fill('dana at example');
  const email = fieldOf(page, 'Your email');
  await expect(email.getByRole('alert')).toContainText('must be an email address such as name@example.com');
  await expect(page.getByLabel('Your email')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByRole('heading', { name: 'Fix 1 thing before you submit' })).toBeVisible();
  await page.getByLabel('Your email').fill('dana@example.com');
  await expect(email.getByRole('alert')).toHaveCount(0);
  await expect(page.getByLabel('Your email')).not.toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByRole('heading', { name: /before you submit/ })).toHaveCount(0);
  // The details typed on the review are the technician's, back on the notes screen too.
  await page.getByRole('button', { name: 'Back to notes' }).click();
  await expect(page.getByLabel('Your email')).toHaveValue('dana@example.com');
  expect(problems).toEqual([]);
});
