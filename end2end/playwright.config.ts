// Browser tests: the real server (`fieldcase serve --demo`) and the release
// build of the app in dist/, driven in Debian's Chromium (Playwright never
// downloads a browser here).
//
// The caller builds first (scripts/test does): `../target/debug/fieldcase`
// (or $FIELDCASE_BIN) and `../dist`. Nothing is built from this file.
//
// Each project (phone, desktop) gets its own server on its own port with a
// fresh data directory, so the two never see each other's intakes. Within a
// project each spec uses its own demo asset, so specs may run in parallel.
import { defineConfig, devices } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const bin = process.env.FIELDCASE_BIN ?? path.resolve(__dirname, '../target/debug/fieldcase');
const orgBin = process.env.DEMO_ORG_BIN ?? path.resolve(__dirname, '../target/debug/demo-org');
const dist = path.resolve(__dirname, '../dist');
const consoleDist = path.resolve(__dirname, '../dist-console');

// The config is evaluated by the runner and again by each worker: make the
// data directories once, in the runner, and hand them down through the
// environment (workers inherit it).
if (!process.env.FIELDCASE_E2E_ROOT) {
  process.env.FIELDCASE_E2E_ROOT = fs.mkdtempSync(path.join(os.tmpdir(), 'fieldcase-e2e-'));
}
const root = process.env.FIELDCASE_E2E_ROOT;
// The ports likewise: found free once, in the runner (tools/free-ports.mjs),
// unless FIELDCASE_E2E_PORT names a base.
if (!process.env.FIELDCASE_E2E_PORT) {
  process.env.FIELDCASE_E2E_PORT = execFileSync(process.execPath, [path.join(__dirname, 'tools/free-ports.mjs')], {
    encoding: 'utf8',
  }).trim();
}
const basePort = Number(process.env.FIELDCASE_E2E_PORT);

const chromium = {
  executablePath: '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
};

// The technician's flows run at phone (Pixel 7 and 360×640) and desktop size; the dispatcher
// console's flows (console-*.spec.ts) at desktop and tablet size.
const CONSOLE_SPECS = /console-.*\.spec\.ts$/;
const targets = [
  { name: 'phone', device: devices['Pixel 7'], port: basePort + 1, ignore: CONSOLE_SPECS, match: undefined },
  { name: 'desktop', device: devices['Desktop Chrome'], port: basePort + 2, ignore: undefined, match: undefined },
  // A small, cheap phone: the technician's flows must fit 360×640 too.
  {
    name: 'small-phone',
    device: { ...devices['Pixel 7'], viewport: { width: 360, height: 640 }, screen: { width: 360, height: 640 } },
    port: basePort + 4,
    ignore: CONSOLE_SPECS,
    match: undefined,
  },
  {
    name: 'tablet',
    device: { ...devices['Galaxy Tab S4 landscape'], defaultBrowserType: 'chromium' as const },
    port: basePort + 3,
    ignore: undefined,
    match: CONSOLE_SPECS,
  },
].map((t) => {
  const dataDir = path.join(root, t.name);
  const orgDir = path.join(root, `${t.name}-org`);
  fs.mkdirSync(dataDir, { recursive: true });
  const orgPort = t.port + 10;
  return { ...t, dataDir, orgDir, orgPort, url: `http://127.0.0.1:${t.port}`, orgUrl: `http://127.0.0.1:${orgPort}` };
});

export default defineConfig({
  testDir: './tests',
  // A hang's guard, not a speed target (those are in scripts/bench): the
  // longest flows open several pages and run axe on each, and a CI machine
  // shared with other work has run them at a third of its usual speed.
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: process.env.CI ? 2 : 2,
  retries: 0,
  forbidOnly: !!process.env.CI,
  reporter: [['list']],
  outputDir: './test-results',
  use: {
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
  projects: targets.map((t) => ({
    name: t.name,
    testIgnore: t.ignore,
    testMatch: t.match,
    use: {
      ...t.device,
      browserName: 'chromium' as const,
      channel: undefined,
      launchOptions: chromium,
      baseURL: t.url,
      dataDir: t.dataDir,
      fieldcaseBin: bin,
      orgUrl: t.orgUrl,
    },
  })),
  // Each project: a demo Salesforce org, and fieldcase connected to it through
  // the real authorization-code flow (--demo-connect), writing approved cases.
  webServer: targets.flatMap((t) => [
    {
      command: `"${orgBin}" --addr 127.0.0.1:${t.orgPort} --data-dir "${t.orgDir}"`,
      url: `${t.orgUrl}/services/data/`,
      reuseExistingServer: false,
      timeout: 60_000,
      stdout: 'ignore' as const,
      stderr: 'pipe' as const,
      env: { RUST_LOG: 'warn', DEMO_ORG_REDIRECT_URIS: `${t.url}/admin/salesforce/callback` },
    },
    {
      command:
        `"${bin}" serve --demo --demo-connect --data-dir "${t.dataDir}" --dist "${dist}" ` +
        `--console-dist "${consoleDist}" ` +
        `--addr 127.0.0.1:${t.port} --salesforce-login-url ${t.orgUrl}`,
      url: `${t.url}/healthz`,
      reuseExistingServer: false,
      timeout: 60_000,
      stdout: 'ignore' as const,
      stderr: 'pipe' as const,
      env: {
        RUST_LOG: 'warn',
        FIELDCASE_SF_CLIENT_ID: 'fieldcase-demo',
        FIELDCASE_SF_CLIENT_SECRET: 'demo-secret',
        // Every flow runs through the same few demo links within minutes:
        // more than a technician's limits allow. The limits themselves are
        // proven in server/tests/api/limits.rs.
        FIELDCASE_SUBMISSIONS_PER_MINUTE: '1000',
        FIELDCASE_SUBMISSIONS_PER_MINUTE_PER_ADDRESS: '1000',
        FIELDCASE_UPLOADS_PER_MINUTE: '1000',
        FIELDCASE_UPLOADS_PER_MINUTE_PER_ADDRESS: '1000',
        // The console's flows sign in from one address (and mostly one
        // account) many times a minute; the sign-in limits themselves are
        // proven in server/tests/api/auth.rs.
        FIELDCASE_SIGN_IN_PER_ACCOUNT: '1000',
        FIELDCASE_SIGN_IN_PER_ADDRESS: '1000',
      },
    },
  ]),
});
