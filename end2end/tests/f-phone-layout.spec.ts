import { test, expect, openAsset, writeNotes, PHOTO } from './fixtures';

const ASSET = 'Backup generator G-1';

test.use({ viewport: { width: 360, height: 640 } });

async function expectNoSideways(page: import('@playwright/test').Page) {
  const { scroll, client } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    client: document.documentElement.clientWidth,
  }));
  expect(scroll).toBeLessThanOrEqual(client);
}

async function expectTappable(locator: import('@playwright/test').Locator) {
  const box = await locator.boundingBox();
  expect(box, 'visible').not.toBeNull();
  expect(box!.height).toBeGreaterThanOrEqual(44);
  expect(box!.width).toBeGreaterThanOrEqual(44);
}

test('at 360×640 nothing scrolls sideways and the main buttons are easy to tap', async ({
  page,
  assets,
}, testInfo) => {
  await openAsset(page, assets[ASSET]);
  await writeNotes(
    page,
    'generator failed to start on weekly test, battery voltage 11.2 V, alarm code F07, fuel smell near the day tank',
  );
  await page.getByLabel('Choose from gallery').setInputFiles(PHOTO);
  await expect(page.getByText('Attached')).toBeVisible();
  await expectNoSideways(page);
  await expectTappable(page.getByText('Take photo', { exact: true }));
  await expectTappable(page.getByText('Choose from gallery', { exact: true }));
  await expectTappable(page.getByRole('button', { name: 'Remove photo 1' }));
  await expectTappable(page.getByRole('button', { name: 'Review' }));
  await expectTappable(page.getByLabel('What did you find?'));
  await expectTappable(page.getByLabel('Your name'));
  await page.screenshot({ path: testInfo.outputPath('notes.png'), fullPage: true });

  await page.getByRole('button', { name: 'Review' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Check the case' })).toBeVisible();
  await expectNoSideways(page);
  await expectTappable(page.getByRole('button', { name: 'Submit case' }));
  await expectTappable(page.getByRole('button', { name: 'Back to notes' }));
  await expectTappable(page.getByLabel('Priority'));
  await expectTappable(page.getByText('Safety hazard', { exact: true }));
  await page.screenshot({ path: testInfo.outputPath('review.png'), fullPage: true });
  await page.screenshot({ path: testInfo.outputPath('review-top.png') });
});
