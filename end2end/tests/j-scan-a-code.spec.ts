// A bad or revoked link's "Scan a code": the camera, with the browser's
// BarcodeDetector or else our QR decoder (scanner/), fetched only now.
// Chromium's fake camera and permission prompt, for this flow only.
import { test, expect } from './fixtures';

test.use({
  launchOptions: {
    executablePath: '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--use-fake-device-for-media-stream',
      '--use-fake-ui-for-media-stream',
    ],
  },
  permissions: ['camera'],
});

test('Scan a code opens the camera, and Stop closes it', async ({ page }) => {
  const decoder: string[] = [];
  page.on('request', (r) => {
    if (r.url().includes('fieldcase-scanner')) decoder.push(r.url());
  });
  await page.goto('/a/AAAAAAAAAAAAAAAAAAAA');
  await expect(page.getByRole('button', { name: 'Scan a code' })).toBeVisible();
  expect(decoder, 'the QR decoder is not fetched before Scan').toEqual([]);
  await page.getByRole('button', { name: 'Scan a code' }).click();
  const camera = page.getByLabel('Camera');
  await expect(camera).toBeVisible();
  await expect
    .poll(() => camera.evaluate((v: HTMLVideoElement) => v.videoWidth))
    .toBeGreaterThan(0);
  await expect(page.getByRole('status')).toHaveText('Point the camera at the QR code on the label.');
  // Without the browser's BarcodeDetector (Chromium on Linux), our own
  // decoder, fetched now.
  if (!(await page.evaluate(() => 'BarcodeDetector' in window))) {
    expect(decoder).toHaveLength(1);
  }
  await page.screenshot({ path: '/tmp/shots-wip-screens/scanning.png' });
  // The fake camera shows no QR code: the decoder keeps looking until stopped.
  await page.getByRole('button', { name: 'Stop scanning' }).click();
  await expect(camera).toBeHidden();
  await expect(page.getByRole('button', { name: 'Scan a code' })).toBeFocused();
});
