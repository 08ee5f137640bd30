import { test, expect, openAsset, writeNotes, approveByApi } from './fixtures';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

// A phone's 12-megapixel photo, with its GPS position, make and model in
// EXIF and rotated by its EXIF orientation, chosen from the gallery: it is
// made smaller on the phone (≤ 1600 px, ≤ 300 KB), upright, and with no
// metadata at all, on the server and in Salesforce. Its upload is dropped
// once on the way and goes again by itself: one photo attached, not two.
const ASSET = 'Feed pump P-12';
const TOOL = path.join(__dirname, '..', 'tools', 'photo_tool.py');
const PYTHON = process.env.FIELDCASE_PYTHON ?? path.join(__dirname, '..', '..', 'target', 'py', 'bin', 'python');

type Inspected = {
  format: string;
  width: number;
  height: number;
  exif_tags: number[];
  gps: boolean;
  make: string | null;
  model: string | null;
  has_app1: boolean;
  top_left: string;
  top_right: string;
};

function inspect(file: string): Inspected {
  return JSON.parse(execFileSync(PYTHON, [TOOL, 'inspect', file], { encoding: 'utf8' }));
}

function expectSmallUprightAndBare(file: string, what: string) {
  const bytes = fs.statSync(file).size;
  expect(bytes, `${what}: bytes`).toBeLessThanOrEqual(300 * 1024);
  const i = inspect(file);
  expect(i.format, what).toBe('JPEG');
  // Shown upright (3000×4000 as the phone shows it), so 1200×1600 here:
  // the orientation applied once, neither ignored nor applied twice.
  expect([i.width, i.height], `${what}: size`).toEqual([1200, 1600]);
  expect([i.top_left, i.top_right], `${what}: upright`).toEqual(['red', 'blue']);
  expect(i.exif_tags, `${what}: EXIF`).toEqual([]);
  expect(i.gps, `${what}: GPS`).toBe(false);
  expect(i.has_app1, `${what}: an EXIF block`).toBe(false);
  return bytes;
}

test('a 12 MP photo with GPS arrives small, upright and without metadata, once, after a dropped upload', async ({
  page,
  assets,
  intakesFor,
  dataDir,
  orgUrl,
  baseURL,
}, testInfo) => {
  test.setTimeout(90_000);
  const original = testInfo.outputPath('phone-12mp.jpg');
  execFileSync(PYTHON, [TOOL, 'make', original]);
  const before = inspect(original);
  expect(before.gps && before.make === 'TestPhone Inc.', 'the test photo carries what a phone writes').toBe(true);
  expect(fs.statSync(original).size).toBeGreaterThan(3_000_000);

  // The first upload is cut off; the next ones go through (slowly enough to
  // see their progress).
  const uploads: number[] = [];
  await page.route('**/api/v1/assets/*/photos', async (route) => {
    uploads.push(route.request().postDataBuffer()?.length ?? 0);
    await new Promise((r) => setTimeout(r, 1200));
    if (uploads.length === 1) {
      await route.abort('connectionreset');
    } else {
      await route.continue();
    }
  });

  await openAsset(page, assets[ASSET]);
  const notes = `feed pump P-12 bearing noise, casing hot (photo run ${testInfo.project.name}-${Date.now()})`;
  await writeNotes(page, notes);
  await expect(page.getByText('Take photo', { exact: true })).toBeVisible();
  await page.getByLabel('Choose from gallery').setInputFiles(original);

  // The thumbnail at once, from the phone's own copy.
  await expect(page.getByRole('img', { name: 'Photo 1' })).toHaveAttribute('src', /^blob:/);
  await expect(page.getByRole('progressbar', { name: 'Upload of photo 1' })).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath('uploading.png') });
  await expect(page.getByText('Connection lost; trying again…')).toBeVisible();
  await expect(page.getByRole('progressbar', { name: 'Upload of photo 1' })).toBeVisible({ timeout: 15_000 });
  await expect(page.getByText('Attached')).toBeVisible({ timeout: 20_000 });
  await expect(page.getByRole('progressbar')).toHaveCount(0);
  await page.screenshot({ path: testInfo.outputPath('attached.png') });
  expect(uploads.length).toBe(2);
  // What left the phone was the small photo, both times.
  expect(Math.max(...uploads)).toBeLessThan(310 * 1024);

  await page.getByRole('button', { name: 'Review' }).click();
  const subject = `Feed pump P-12 bearing noise (${testInfo.project.name}-${Date.now()})`;
  await page.getByLabel('Subject').fill(subject);
  await expect(page.getByRole('heading', { name: 'Photos: 1 attached' })).toBeVisible();
  await page.getByRole('button', { name: 'Submit case' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Sent for review' })).toBeVisible();

  const intake = intakesFor(ASSET).find((i) => i.notes === notes);
  expect(intake?.photos).toHaveLength(1);
  const sha = intake!.photos[0];
  const stored = path.join(dataDir, 'photos', sha.slice(0, 2), sha.slice(2, 4), sha);
  const storedBytes = expectSmallUprightAndBare(stored, "the server's stored photo");

  // Approved and written: the file on the Salesforce case is bare too.
  await approveByApi(page.request, baseURL ?? '', intake!.id);
  await expect
    .poll(() => intakesFor(ASSET).find((i) => i.notes === notes)?.status, { timeout: 20_000 })
    .toBe('written');
  const org = await page.context().newPage();
  await org.goto(orgUrl);
  await org.getByRole('row').filter({ hasText: subject }).getByRole('link').first().click();
  await expect(org.getByRole('heading', { name: 'Files (1)' })).toBeVisible();
  const src = await org.getByRole('img').first().getAttribute('src');
  const inOrg = testInfo.outputPath('in-org.jpg');
  fs.writeFileSync(inOrg, await (await org.request.get(new URL(src ?? '', org.url()).href)).body());
  const orgBytes = expectSmallUprightAndBare(inOrg, "the demo org's file");
  console.log(
    `photo: ${fs.statSync(original).size} B (${before.width}×${before.height}, GPS) → ` +
      `${storedBytes} B stored, ${orgBytes} B in the org (1200×1600, no EXIF)`,
  );
});
