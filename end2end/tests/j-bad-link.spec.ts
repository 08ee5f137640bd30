// A bad or revoked link: a styled page in the app's look, where the
// technician types the code on the label or scans one.
import { test, expect, accessibilityViolations } from './fixtures';

const ASSET = 'Roller door RD-5';

test('a bad link offers to type the code on the label, and says clearly when it is malformed', async ({
  page,
  assets,
}, testInfo) => {
  const response = await page.goto('/a/AAAAAAAAAAAAAAAAAAAA');
  expect(response?.status()).toBe(404);
  await expect(page.getByRole('heading', { level: 1, name: 'Code not active' })).toBeVisible();
  await expect(page.getByText('This code is not active — ask your dispatcher.')).toBeVisible();
  // The app's look: its stylesheet, its bar.
  await expect(page.locator('header.bar')).toHaveCSS('background-color', 'rgb(15, 61, 94)');
  await expect(page.getByRole('button', { name: 'Scan a code' })).toBeVisible();
  expect(await accessibilityViolations(page)).toEqual([]);
  await page.screenshot({ path: '/tmp/shots-wip-screens/bad-link.png' });
  await page.screenshot({ path: testInfo.outputPath('bad-link.png') });

  const code = page.getByLabel('Type the 20-character code printed under the QR');
  await code.fill('RD5-0001');
  await page.getByRole('button', { name: 'Open' }).click();
  await expect(page.getByRole('alert')).toContainText('an asset code has 20 characters; this one has 7');
  await expect(code).toHaveAttribute('aria-invalid', 'true');
  await expect(code).toBeFocused();
  expect(await accessibilityViolations(page)).toEqual([]);

  const door = assets[ASSET];
  await code.fill(door.token.replace(/^(.)/, '0'));
  await page.getByRole('button', { name: 'Open' }).click();
  await expect(page.getByRole('alert')).toContainText('“0” is not one of them (the letter O?)');

  // Retyped as people do: lower case, in groups; or the whole link pasted.
  await code.fill(door.token.toLowerCase().replace(/(.{4})/g, '$1 ').trim());
  await expect(page.getByRole('alert')).toBeHidden();
  await code.press('Enter');
  await expect(page).toHaveURL(new RegExp(`/a/${door.token}$`));
  await expect(page.getByRole('heading', { level: 1, name: ASSET })).toBeVisible();
  await expect(page.getByLabel('What did you find?')).toBeVisible();
});

test('a revoked code seen by the app itself looks the same and still opens another code', async ({
  page,
  assets,
}) => {
  // The app's own "not active" screen: the link's page was served, then the
  // code stopped answering (revoked meanwhile).
  await page.route('**/api/v1/assets/*', (route) =>
    route.fulfill({
      status: 404,
      contentType: 'application/json',
      body: JSON.stringify({ code: 'asset_inactive', message: 'This code is not active — ask your dispatcher.', fields: [] }),
    }),
  );
  await page.goto(`/a/${assets['Chiller CH-2'].token}`);
  await expect(page.getByRole('heading', { level: 1, name: 'Code not active' })).toBeVisible();
  await expect(page).toHaveTitle('Code not active');
  await expect(page.getByRole('button', { name: 'Scan a code' })).toBeVisible();
  expect(await accessibilityViolations(page)).toEqual([]);
  const code = page.getByLabel('Type the 20-character code printed under the QR');
  await code.fill('short');
  await page.getByRole('button', { name: 'Open' }).click();
  await expect(page.getByRole('alert')).toContainText('this one has 5');
  await page.unroute('**/api/v1/assets/*');
  await code.fill(`http://fieldcase.example/A/${assets[ASSET].token}`);
  await page.getByRole('button', { name: 'Open' }).click();
  await expect(page).toHaveURL(new RegExp(`/a/${assets[ASSET].token}$`));
  await expect(page.getByRole('heading', { level: 1, name: ASSET })).toBeVisible();
});
