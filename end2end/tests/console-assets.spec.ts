import { test, expect, signIn, STAFF, accessibilityViolations } from './fixtures';

// An admin keeps the assets: adds one (a mistake shown next to its field),
// finds and edits it, imports a CSV whose bad row is reported by row and
// column (nothing imported, then the valid rows), gives an asset a new link
// (its old label stops at once and says so) and prints a sheet of labels.
test('an admin adds, imports, relinks and prints assets', async ({ page }, testInfo) => {
  test.skip(testInfo.project.name !== 'desktop', 'a console flow: desktop only');
  const run = Date.now().toString(36).toUpperCase();
  const name = `Ice machine IM-${run}`;

  await signIn(page, STAFF.admin);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Assets' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Assets' })).toBeVisible();
  await expect(page.getByRole('row').filter({ hasText: 'Feed pump P-12' })).toBeVisible();

  // Added without an account: refused next to the field, the rest kept.
  const form = page.getByRole('region', { name: 'Add an asset' });
  await form.getByLabel('Name').fill(name);
  await form.getByLabel('Serial number').fill(`SN-${run}`);
  await form.getByLabel('Site').fill('Harbour kitchen');
  await form.getByRole('button', { name: 'Add asset' }).click();
  await expect(form.getByLabel('Account')).toHaveAttribute('aria-invalid', 'true');
  await expect(form.getByLabel('Name')).toHaveValue(name);
  await form.getByLabel('Account').fill('Northwind Foods');
  await form.getByRole('button', { name: 'Add asset' }).click();
  await expect(form.getByText(`${name} added, with its own link.`)).toBeVisible();

  // Found by its serial number and edited.
  await page.getByRole('searchbox', { name: 'Search' }).fill(`SN-${run}`);
  await page.getByRole('search').getByRole('button', { name: 'Search' }).click();
  const row = page.getByRole('row').filter({ hasText: name });
  await expect(row).toContainText('Harbour kitchen');
  await expect(page.getByText(/^1 asset · page 1 of 1/)).toBeVisible();
  await expect(page.getByRole('button', { name: 'Next', exact: true })).toBeDisabled();
  await expect(page.getByRole('button', { name: 'Previous', exact: true })).toBeDisabled();
  await row.getByRole('button', { name: `Edit ${name}` }).click();
  const editForm = page.getByRole('region', { name: 'Edit asset' });
  await editForm.getByLabel('Site').fill('Harbour kitchen, bay 2');
  await editForm.getByRole('button', { name: 'Save asset' }).click();
  await expect(page.getByText(`${name} saved.`)).toBeVisible();
  await expect(row).toContainText('Harbour kitchen, bay 2');
  expect(await accessibilityViolations(page)).toEqual([]);

  // A CSV with one bad row: nothing imported until every row is valid…
  const csv = [
    'name,serial,model,account,site,location,install_date,salesforce_id',
    `Walk-in freezer WF-${run},WF-${run},Polar 9,Northwind Foods,Harbour kitchen,,2024-03-01,`,
    `Dishwasher DW-${run},DW-${run},Hobart,,Harbour kitchen,,2024-13-40,`,
  ].join('\n');
  const imports = page.getByRole('region', { name: 'Import assets' });
  await imports.getByLabel(/^CSV file/).setInputFiles({ name: 'assets.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await imports.getByRole('button', { name: 'Import CSV' }).click();
  await expect(imports).toContainText('Nothing was imported: 1 row has problems to fix');
  const fix = imports.getByRole('table', { name: 'Rows to fix' });
  await expect(fix.getByRole('row').filter({ hasText: 'account' })).toContainText('3');
  await expect(fix).toContainText('install_date');
  // …or the valid rows, as the admin chooses.
  await imports.getByLabel('Import the valid rows').check();
  await imports.getByRole('button', { name: 'Import CSV' }).click();
  await expect(imports).toContainText('2 rows read: 1 new, 0 updated, 1 skipped (see below).');
  await page.getByRole('searchbox', { name: 'Search' }).fill(run);
  await page.getByRole('search').getByRole('button', { name: 'Search' }).click();
  await expect(page.getByRole('row').filter({ hasText: `Walk-in freezer WF-${run}` })).toBeVisible();
  await expect(page.getByRole('row').filter({ hasText: `Dishwasher DW-${run}` })).toHaveCount(0);
  await page.screenshot({ path: testInfo.outputPath('console-assets.png'), fullPage: true });

  // A new link: the old label stops working at once and the page says so.
  const listed = await page.request.get(`/api/v1/admin/assets?q=${encodeURIComponent(`SN-${run}`)}`);
  const oldLink: string = (await listed.json()).assets[0].link;
  const phone = await page.context().newPage();
  await phone.goto(new URL(oldLink).pathname);
  await expect(phone.getByRole('heading', { level: 1, name })).toBeVisible();
  page.once('dialog', (d) => d.accept());
  await row.getByRole('button', { name: `New link for ${name}` }).click();
  await expect(page.getByText(`${name}: new link made. Print its new label.`)).toBeAttached();
  await phone.reload();
  await expect(phone.getByRole('heading', { level: 1 })).not.toHaveText(name);
  await expect(phone.getByText(/not active|no longer/i).first()).toBeVisible();
  await phone.close();

  // Labels for the two new assets on A4, 3 × 8, with crop marks.
  await page.getByRole('checkbox', { name: `Choose ${name}` }).check();
  await page.getByRole('checkbox', { name: `Choose Walk-in freezer WF-${run}` }).check();
  const print = page.getByRole('region', { name: 'Print labels' });
  await expect(print).toContainText('2 assets chosen.');
  await print.getByLabel('Paper').selectOption('a4');
  await print.getByLabel('Labels per sheet').selectOption('3x8');
  await print.getByLabel('Crop marks').check();
  await print.getByRole('link', { name: 'Print labels' }).click();
  const sheet = page.getByRole('region', { name: 'Label sheet' });
  await expect(sheet.locator('.label')).toHaveCount(2);
  await expect(sheet.locator('.label').first()).toContainText(name);
  await expect(sheet.locator('.label').first()).toContainText(`SN-${run}`);
  await expect(sheet.locator('.label svg')).toHaveCount(2);
  await page.screenshot({ path: testInfo.outputPath('console-assets-labels-a4.png'), fullPage: true });

  // The printed code, as drawn on the sheet, decodes to the asset's new link
  // (read with the app's own QR decoder, the one Scan uses).
  const label = await sheet.locator('.label svg').first().screenshot();
  const relisted = await page.request.get(`/api/v1/admin/assets?q=${encodeURIComponent(`SN-${run}`)}`);
  const newLink: string = (await relisted.json()).assets[0].link;
  expect(newLink).not.toBe(oldLink);
  await page.goto('/');
  const decoded = await page.evaluate(async (png) => {
    const url = document.querySelector('meta[name="fieldcase-scanner"]')?.getAttribute('content');
    if (!url) return 'no decoder on the page';
    const { instance } = await WebAssembly.instantiateStreaming(fetch(url), {});
    const x = instance.exports as any;
    const img = new Image();
    img.src = `data:image/png;base64,${png}`;
    await img.decode();
    const canvas = document.createElement('canvas');
    canvas.width = img.width;
    canvas.height = img.height;
    const ctx = canvas.getContext('2d')!;
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, img.width, img.height);
    ctx.drawImage(img, 0, 0);
    const rgba = ctx.getImageData(0, 0, img.width, img.height).data;
    const ptr = x.alloc(img.width * img.height);
    const grey = new Uint8Array(x.memory.buffer, ptr, img.width * img.height);
    for (let i = 0, j = 0; j < grey.length; i += 4, j++) {
      grey[j] = (rgba[i] * 77 + rgba[i + 1] * 150 + rgba[i + 2] * 29) >> 8;
    }
    const len = x.decode(img.width, img.height);
    return len ? new TextDecoder().decode(new Uint8Array(x.memory.buffer, x.text(), len)) : 'nothing decoded';
  }, label.toString('base64'));
  expect(decoded.toLowerCase()).toBe(newLink.toLowerCase());
});
