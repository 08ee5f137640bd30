// The photo pipeline's figures (scripts/bench): a 12-megapixel phone JPEG
// with GPS EXIF (made by end2end/tools/photo_tool.py) shrunk by the app's
// own app/js/photos.js in Debian's Chromium at a Pixel 7's size with the CPU
// throttled 4× (a mid-range phone), three times: bytes in → bytes out, and
// the time to shrink and hash (median of 3), in the worker the app uses and
// on the page's main thread (the fallback; the throttling surely applies
// there, while Chromium may not throttle a worker's thread).
//
//   node bench/photo.mjs URL TOKEN
import { createRequire } from 'node:module';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const [url, token] = process.argv.slice(2);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'end2end', 'package.json'));
const { chromium, devices } = require('@playwright/test');
const python = process.env.FIELDCASE_PYTHON ?? join(root, 'target', 'py', 'bin', 'python');

const dir = mkdtempSync(join(tmpdir(), 'fieldcase-photo-bench-'));
const photo = join(dir, 'phone-12mp.jpg');
execFileSync(python, [join(root, 'end2end', 'tools', 'photo_tool.py'), 'make', photo]);
const bytes = readFileSync(photo);

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
try {
  const context = await browser.newContext({ ...devices['Pixel 7'] });
  const page = await context.newPage();
  await page.route('**/__bench/photo.jpg', (r) => r.fulfill({ body: bytes, contentType: 'image/jpeg' }));
  await page.goto(`${url}/a/${token}`);
  await page.getByRole('heading', { level: 1 }).waitFor();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
  const runs = await page.evaluate(async () => {
    const src = document.querySelector('meta[name=fieldcase-photos]').content;
    const m = await import(src);
    const file = await (await fetch('/__bench/photo.jpg')).blob();
    const out = { worker: [], main: [] };
    for (let i = 0; i < 3; i++) {
      let t = performance.now();
      const p = await m.prepare(file);
      out.worker.push({ ms: performance.now() - t, bytes: p.bytes, shrunk: p.shrunk });
      t = performance.now();
      const b = await m.shrink(file);
      await m.sha256(b);
      out.main.push({ ms: performance.now() - t, bytes: b.size });
    }
    const bmp = await createImageBitmap((await m.prepare(file)).blob);
    out.size = `${bmp.width}×${bmp.height}`;
    out.inWorker = typeof OffscreenCanvas !== 'undefined' && typeof Worker !== 'undefined';
    return out;
  });
  const median = (xs) => [...xs].sort((a, b) => a - b)[1];
  const fmt = (rs) =>
    `${median(rs.map((r) => r.ms)).toFixed(0)} ms median of 3 (${rs.map((r) => r.ms.toFixed(0)).join(', ')})`;
  const out = runs.worker[0].bytes;
  console.log(`photo pipeline (12 MP JPEG with GPS EXIF, Chromium at Pixel 7 size, CPU throttled 4x):`);
  console.log(`  bytes: ${bytes.length} in -> ${out} out (${runs.size}, no EXIF), ${(bytes.length / out).toFixed(1)}x smaller`);
  console.log(`  shrink + hash in the worker${runs.inWorker ? '' : ' (unavailable: main thread)'}: ${fmt(runs.worker)}`);
  console.log(`  shrink + hash on the main thread (fallback): ${fmt(runs.main)}`);
  if (!runs.worker.every((r) => r.shrunk)) throw new Error('the photo was not shrunk');
} finally {
  await browser.close();
  rmSync(dir, { recursive: true, force: true });
}
