import { test, expect } from './fixtures';

test('a code that is not active says so, with a 404, and nothing else', async ({ page }) => {
  const response = await page.goto('/a/AAAAAAAAAAAAAAAAAAAA');
  expect(response?.status()).toBe(404);
  await expect(page.getByText('This code is not active')).toBeVisible();
  await expect(page.getByLabel('What did you find?')).toHaveCount(0);
});

test('the start page opens an asset from the code typed under the QR', async ({ page, assets }) => {
  await page.goto('/');
  await expect(
    page.getByRole('heading', { level: 1, name: 'Scan the QR code on the equipment' }),
  ).toBeVisible();

  // A tap before the page's script has loaded sends the form to the server,
  // whose page asks for the code again ("Type the …" rather than "Or type the
  // …"); either way the technician reads what to fix and the form still opens
  // the asset, so the flow accepts both.
  const code = page.getByLabel(/type the 20-character code printed under the QR/i);
  await code.fill('ABC123');
  await page.getByRole('button', { name: 'Open' }).click();
  await expect(page.getByRole('alert')).toContainText('20 characters');

  // People retype codes in lower case, in groups.
  const door = assets['Roller door RD-5'];
  await code.fill(door.token.toLowerCase().replace(/(.{4})/g, '$1 ').trim());
  await page.getByRole('button', { name: 'Open' }).click();
  await expect(page).toHaveURL(new RegExp(`/a/${door.token}$`));
  await expect(page.getByRole('heading', { level: 1, name: 'Roller door RD-5' })).toBeVisible();
});

test('an unknown page offers the way back to the start', async ({ page }) => {
  await page.goto('/no/such/page');
  await expect(page.getByRole('heading', { level: 1, name: 'Page not found' })).toBeVisible();
  await page.getByRole('link', { name: 'Go to the start page' }).click();
  await expect(page.getByRole('heading', { name: 'Scan the QR code on the equipment' })).toBeVisible();
});

test.describe('before the page script runs (a slow phone, or none at all)', () => {
  test.use({ javaScriptEnabled: false });

  test('the code form still says what to fix, keeps what was typed, and opens the asset', async ({ page, assets }) => {
    await page.goto('/a/AAAAAAAAAAAAAAAAAAAA');
    const code = page.getByLabel('Type the 20-character code printed under the QR');
    await code.fill('ABC123');
    await page.getByRole('button', { name: 'Open' }).click();
    await expect(page.getByRole('alert')).toContainText('an asset code has 20 characters; this one has 6');
    await expect(code).toHaveValue('ABC123');

    const door = assets['Roller door RD-5'];
    await code.fill(door.token.toLowerCase().replace(/(.{4})/g, '$1-').replace(/-$/, ''));
    await page.getByRole('button', { name: 'Open' }).click();
    await expect(page).toHaveURL(new RegExp(`/a/${door.token}$`));
    await expect(page.getByRole('heading', { level: 1, name: 'Roller door RD-5' })).toBeVisible();
  });
});
