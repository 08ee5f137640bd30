// Lighthouse, mobile preset (its default: a mid-range phone, simulated slow
// 4G), against an asset's link on a running server; `scripts/bench
// lighthouse` runs it. Usage: node bench/lighthouse/run.mjs URL [RUNS]
//
// Prints the median of RUNS (3) cold runs: performance, accessibility, best
// practices, LCP, TBT and CLS, with their range; what the last run's LCP
// element was and its long tasks (what to look at when a figure is off);
// then one repeat visit on the same browser (cache kept): the bytes it
// fetched over the network, per file. LIGHTHOUSE_JSON=DIR keeps each run's
// full report there (run-1.json, …, repeat.json).
//
// Debian's Chromium (CHROME_PATH, default /usr/bin/chromium), never a
// downloaded one.
import { writeFileSync } from 'node:fs';
import lighthouse from 'lighthouse';
import * as chromeLauncher from 'chrome-launcher';

const [url, runsArg] = process.argv.slice(2);
if (!url) {
  console.error('usage: node bench/lighthouse/run.mjs URL [RUNS]');
  process.exit(2);
}
const runs = Number(runsArg ?? 3);
const chrome = await chromeLauncher.launch({
  chromePath: process.env.CHROME_PATH ?? '/usr/bin/chromium',
  chromeFlags: [
    '--headless=new',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
  ],
});

const flags = {
  port: chrome.port,
  output: 'json',
  logLevel: 'error',
  onlyCategories: ['performance', 'accessibility', 'best-practices'],
};

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};

try {
  const results = [];
  for (let i = 0; i < runs; i++) {
    // A trace Chromium failed to record (NO_NAVSTART, seen on a loaded
    // machine) is run again, twice at most; other errors stop the bench.
    let lhr;
    for (let attempt = 0; ; attempt++) {
      ({ lhr } = await lighthouse(url, flags));
      if (!lhr.runtimeError) break;
      if (attempt >= 2 || lhr.runtimeError.code !== 'NO_NAVSTART') throw new Error(lhr.runtimeError.message);
      console.error(`run ${i + 1}: ${lhr.runtimeError.code}, again`);
    }
    const score = (c) => Math.round(lhr.categories[c].score * 100);
    const audit = (a) => lhr.audits[a].numericValue;
    if (process.env.LIGHTHOUSE_JSON) writeFileSync(`${process.env.LIGHTHOUSE_JSON}/run-${i + 1}.json`, JSON.stringify(lhr));
    results.push({
      performance: score('performance'),
      accessibility: score('accessibility'),
      bestPractices: score('best-practices'),
      lcp: audit('largest-contentful-paint'),
      tbt: audit('total-blocking-time'),
      cls: audit('cumulative-layout-shift'),
      lhr,
    });
  }
  const m = (k) => median(results.map((r) => r[k]));
  const range = (k, f) => {
    const xs = results.map((r) => r[k]);
    return `(${f(Math.min(...xs))}–${f(Math.max(...xs))})`;
  };
  console.log(`lighthouse ${results[0].lhr.lighthouseVersion}, mobile preset, median of ${runs}:`);
  console.log(`  performance     ${m('performance')}   (target ≥ 98)`);
  console.log(`  accessibility   ${m('accessibility')}  (target 100)`);
  console.log(`  best practices  ${m('bestPractices')}  (target 100)`);
  const s = (v) => (v / 1000).toFixed(2);
  console.log(`  LCP             ${s(m('lcp'))} s  ${range('lcp', s)}  (target ≤ 1.2 s)`);
  console.log(`  TBT             ${Math.round(m('tbt'))} ms  ${range('tbt', Math.round)}  (target ≤ 50 ms)`);
  console.log(`  CLS             ${m('cls').toFixed(3)}  (target 0)`);
  // What fell short, from the last run: the audits to read.
  const last = results[results.length - 1].lhr;
  const lcpItem = last.audits['largest-contentful-paint-element']?.details?.items?.[0]?.items?.[0]?.node;
  if (lcpItem) console.log(`  LCP element (last run): ${lcpItem.snippet}`);
  for (const t of last.audits['long-tasks']?.details?.items ?? []) {
    console.log(`  long task (last run, observed): ${Math.round(t.duration)} ms at ${Math.round(t.startTime)} ms, ${t.url}`);
  }
  for (const [id, cat] of Object.entries(last.categories)) {
    for (const ref of cat.auditRefs) {
      const a = last.audits[ref.id];
      if (ref.weight > 0 && a.score !== null && a.score < 1 && id !== 'performance') {
        console.log(`  ${id}: ${a.id}: ${a.title}`);
      }
    }
  }

  // A repeat visit: the same browser, its cache kept.
  const { lhr } = await lighthouse(url, { ...flags, disableStorageReset: true });
  if (process.env.LIGHTHOUSE_JSON) writeFileSync(`${process.env.LIGHTHOUSE_JSON}/repeat.json`, JSON.stringify(lhr));
  const requests = lhr.audits['network-requests'].details.items;
  let total = 0;
  console.log('repeat visit, bytes over the network:');
  for (const r of requests) {
    total += r.transferSize ?? 0;
    if (r.transferSize > 0) {
      console.log(`  ${String(r.transferSize).padStart(7)} B  ${r.statusCode}  ${new URL(r.url).pathname.replace(/\/a\/[^/]+$/, '/a/{token}')}`);
    }
  }
  console.log(`  ${String(total).padStart(7)} B  in all (target: the HTML only)`);
} finally {
  await chrome.kill();
}
