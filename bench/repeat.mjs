// A repeat visit's bytes over the network (scripts/bench), counting what the
// service worker fetches too (Lighthouse sees only the page's own requests,
// so a worker's network-first fetch of the HTML is invisible to it): open
// an asset's link, let the service worker take over, then open it again in
// the same browser and list every request that reached the server, by
// whom (page or worker), its status and bytes (headers and body).
// Issue 8's target: the HTML only.
//
//   node bench/repeat.mjs URL TOKEN
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const [url, token] = process.argv.slice(2);
if (!url || !token) {
  console.error('usage: node bench/repeat.mjs URL TOKEN');
  process.exit(2);
}
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'end2end', 'package.json'));
const { chromium, devices } = require('@playwright/test');

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
try {
  const context = await browser.newContext({ ...devices['Pixel 7'] });
  const page = await context.newPage();
  const link = `${url}/a/${token}`;
  await page.goto(link);
  await page.getByLabel('What did you find?').waitFor();
  for (let i = 0; i < 200; i++) {
    if (await page.evaluate(() => navigator.serviceWorker?.controller?.state === 'activated')) break;
    await page.waitForTimeout(100);
  }
  await page.waitForTimeout(3000); // the engine fetched when idle, the worker's install done
  const seen = [];
  context.on('requestfinished', async (request) => {
    const response = await request.response();
    if (!response || response.fromServiceWorker()) return; // answered by the worker, not the network
    const sizes = await request.sizes().catch(() => null);
    seen.push({
      who: request.serviceWorker() ? 'worker' : 'page',
      status: response.status(),
      path: new URL(request.url()).pathname.replace(/\/a\/[^/]+$/, '/a/{token}').replace(token, '{token}'),
      bytes: sizes ? sizes.responseHeadersSize + Math.max(0, sizes.responseBodySize) : 0,
    });
  });
  await page.goto(link);
  await page.getByLabel('What did you find?').waitFor();
  await page.waitForFunction(() => !document.querySelector('#notes[readonly]'));
  await page.waitForTimeout(3000);
  let total = 0;
  console.log('repeat visit, requests that reached the server (Chromium, the page and its service worker):');
  for (const r of seen) {
    total += r.bytes;
    console.log(`  ${String(r.bytes).padStart(7)} B  ${r.status}  ${r.who.padEnd(6)}  ${r.path}`);
  }
  console.log(`  ${String(total).padStart(7)} B  in all, ${seen.length} request(s) (target: the HTML only)`);
} finally {
  await browser.close();
}
