import { test, expect, openAsset, writeNotes, approveByApi, accessibilityViolations, PHOTO, STAFF } from './fixtures';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

// Location is attached only to the photo the technician switches it on for,
// as a separate field (never in the file): two photos, location on for the
// second (a phone's 12 MP JPEG that carries GPS in its EXIF); only that one
// has a location in the server's store, the console and the demo org, and
// the stored JPEG has no GPS. With the permission refused, the photo says so
// and nothing is lost.
const ASSET = 'Feed pump P-12';
const TOOL = path.join(__dirname, '..', 'tools', 'photo_tool.py');
const PYTHON = process.env.FIELDCASE_PYTHON ?? path.join(__dirname, '..', '..', 'target', 'py', 'bin', 'python');
const HERE = { latitude: 53.800755, longitude: -1.549077, accuracy: 12 };

test('location switched on for one of two photos reaches only that photo, beside the file', async ({
  page,
  context,
  assets,
  intakesFor,
  dataDir,
  orgUrl,
  baseURL,
}, testInfo) => {
  test.setTimeout(120_000);
  await context.grantPermissions(['geolocation']);
  await context.setGeolocation(HERE);
  const phone = testInfo.outputPath('phone-12mp.jpg');
  execFileSync(PYTHON, [TOOL, 'make', phone]);

  await openAsset(page, assets[ASSET]);
  const notes = `feed pump P-12 weeping at the flange (location run ${testInfo.project.name}-${Date.now()})`;
  await writeNotes(page, notes);
  await page.getByLabel('Choose from gallery').setInputFiles(PHOTO);
  await expect(page.getByText('Attached')).toHaveCount(1, { timeout: 20_000 });
  await page.getByLabel('Choose from gallery').setInputFiles(phone);
  await expect(page.getByText('Attached')).toHaveCount(2, { timeout: 30_000 });

  const first = page.getByRole('button', { name: 'Add location to photo 1' });
  const second = page.getByRole('button', { name: 'Add location to photo 2' });
  await expect(first).toHaveAttribute('aria-pressed', 'false');
  await second.click();
  await expect(page.getByText('Location added (±12 m)')).toBeVisible();
  await expect(second).toHaveAttribute('aria-pressed', 'true');
  await expect(first).toHaveAttribute('aria-pressed', 'false');
  await page.screenshot({ path: testInfo.outputPath('location-on.png') });
  expect(await accessibilityViolations(page)).toEqual([]);

  // Kept on the phone: a reload still shows it switched on.
  await page.reload();
  await expect(page.getByRole('button', { name: 'Add location to photo 2' })).toHaveAttribute('aria-pressed', 'true');

  await page.getByRole('button', { name: 'Review' }).click();
  const subject = `Feed pump P-12 weeping at flange (${testInfo.project.name}-${Date.now()})`;
  await page.getByLabel('Subject').fill(subject);
  await page.getByRole('button', { name: 'Submit case' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Sent for review' })).toBeVisible();

  const intake = intakesFor(ASSET).find((i) => i.notes === notes);
  expect(intake?.photos).toHaveLength(2);
  const [plain, located] = intake!.photos;

  // The dispatcher sees the location on that photo only.
  const headers = { Origin: baseURL ?? '' };
  expect(
    (await page.request.post('/api/v1/session', { headers, data: { email: STAFF.dispatcher, password: STAFF.password } })).status(),
  ).toBe(200);
  const detail = await (await page.request.get(`/api/v1/console/intakes/${intake!.id}`)).json();
  expect(detail.photos.map((p: { sha256: string }) => p.sha256)).toEqual([plain, located]);
  expect(detail.photos[0].location).toBeUndefined();
  expect(detail.photos[1].location).toEqual({ latitude: 53.800755, longitude: -1.549077, accuracy_m: 12 });

  // Never in the file: the stored JPEG has no GPS (the phone's had).
  const stored = path.join(dataDir, 'photos', located.slice(0, 2), located.slice(2, 4), located);
  const inspected = JSON.parse(execFileSync(PYTHON, [TOOL, 'inspect', stored], { encoding: 'utf8' }));
  expect(inspected.gps).toBe(false);
  expect(inspected.has_app1).toBe(false);

  // In the demo org: the located photo's file says where, the other not.
  await approveByApi(page.request, baseURL ?? '', intake!.id);
  await expect
    .poll(() => intakesFor(ASSET).find((i) => i.notes === notes)?.status, { timeout: 30_000 })
    .toBe('written');
  const org = await context.newPage();
  await org.goto(orgUrl);
  await org.getByRole('row').filter({ hasText: subject }).getByRole('link').first().click();
  await expect(org.getByRole('heading', { name: 'Files (2)' })).toBeVisible();
  const captions = org.locator('figcaption');
  await expect(captions.filter({ hasText: 'Location (switched on by the technician): 53.800755, -1.549077 (±12 m)' })).toHaveCount(1);
  await expect(captions.filter({ hasText: 'photo 2' })).toContainText('53.800755');
  await expect(captions.filter({ hasText: 'photo 1' })).not.toContainText('Location');
});

test('with location refused, the photo says so and stays attached', async ({ page, context, assets }, testInfo) => {
  await context.clearPermissions();
  await openAsset(page, assets[ASSET]);
  const notes = `feed pump P-12 refused location (run ${testInfo.project.name}-${Date.now()})`;
  await writeNotes(page, notes);
  await page.getByLabel('Choose from gallery').setInputFiles(PHOTO);
  await expect(page.getByText('Attached')).toBeVisible({ timeout: 20_000 });
  const toggle = page.getByRole('button', { name: 'Add location to photo 1' });
  await toggle.click();
  await expect(page.getByRole('alert')).toContainText('Location is blocked for this site');
  await expect(toggle).toHaveAttribute('aria-pressed', 'false');
  await expect(page.getByText('Attached')).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath('location-refused.png') });
  expect(await accessibilityViolations(page)).toEqual([]);
  // Nothing lost: the notes and the photo are still the draft's.
  await expect(page.getByLabel('What did you find?')).toHaveValue(notes);
  await expect(page.getByRole('img', { name: 'Photo 1' })).toBeVisible();
});
