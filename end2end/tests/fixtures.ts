// What every spec needs: the demo assets' links, the database as the
// server's own CLI reports it, and a small photo.
import { test as base, expect, type Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export type DemoLink = { name: string; token: string; link: string; qr: string };

export type Intake = {
  id: string;
  reference: string;
  status: string;
  asset_name: string;
  notes: string;
  fields: Record<string, string | number | boolean>;
  technician: { name: string; email?: string; phone?: string };
  photos: string[];
};

type Options = { dataDir: string; fieldcaseBin: string; orgUrl: string };

type Fixtures = {
  /** The demo assets, by name. */
  assets: Record<string, DemoLink>;
  /** Every intake stored, read with `fieldcase intakes list --json`. */
  intakes: () => Intake[];
  /** Every intake stored for one asset. */
  intakesFor: (assetName: string) => Intake[];
};

export const PHOTO = path.join(__dirname, '..', 'fixtures', 'seal-leak.png');
export const NOT_A_PHOTO = path.join(__dirname, '..', 'fixtures', 'not-a-photo.jpg');

export const test = base.extend<Fixtures, Options>({
  dataDir: ['', { option: true, scope: 'worker' }],
  fieldcaseBin: ['', { option: true, scope: 'worker' }],
  orgUrl: ['', { option: true, scope: 'worker' }],

  assets: async ({ dataDir }, use) => {
    const file = path.join(dataDir, 'demo-links.json');
    const links: DemoLink[] = JSON.parse(fs.readFileSync(file, 'utf8'));
    await use(Object.fromEntries(links.map((l) => [l.name, l])));
  },

  intakes: async ({ dataDir, fieldcaseBin }, use) => {
    await use(() => {
      const out = execFileSync(fieldcaseBin, ['intakes', 'list', '--json', '--data-dir', dataDir], {
        encoding: 'utf8',
        env: { ...process.env, RUST_LOG: 'error' },
      });
      return JSON.parse(out) as Intake[];
    });
  },

  intakesFor: async ({ intakes }, use) => {
    await use((assetName: string) => intakes().filter((i) => i.asset_name === assetName));
  },
});

export { expect };

/** Open an asset's link (the path only: the test server's base URL). */
export async function openAsset(page: Page, asset: DemoLink) {
  await page.goto(`/a/${asset.token}`);
  await expect(page.getByRole('heading', { level: 1, name: asset.name })).toBeVisible();
}

/** Fill in the notes screen the way a technician would. */
export async function writeNotes(page: Page, notes: string, name = 'Dana Okafor') {
  await page.getByLabel('What did you find?').fill(notes);
  if (name) {
    await page.getByLabel('Your name').fill(name);
  }
}

/** A field on the review screen: its control, message and where its value came from. */
export function fieldOf(page: Page, label: string) {
  return page.locator('.field').filter({ has: page.getByLabel(label) });
}

/** The demo staff `--demo` makes (demo mode only). */
export const STAFF = {
  admin: 'admin@fieldcase.example',
  dispatcher: 'dispatcher@fieldcase.example',
  password: 'demo-password-1',
};

/** Sign in to the console the way a dispatcher does. */
export async function signIn(page: Page, email = STAFF.dispatcher) {
  await page.goto('/console/sign-in');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(STAFF.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible();
}

/**
 * A technician's submission, sent the way the app sends it (`PUT` with an id
 * the phone made), for the console's flows. The technician's own screens are
 * covered by the other specs.
 */
export async function submitByApi(
  request: import('@playwright/test').APIRequestContext,
  asset: DemoLink,
  subject: string,
  priority = 'High',
  notes = `${subject}: leaking at the seal, pressure 3.2 bar`,
) {
  const id = uuidV7();
  const response = await request.put(`/api/v1/intakes/${id}`, {
    data: {
      id,
      asset_token: asset.token,
      notes,
      fields: {
        Subject: subject,
        Description: notes,
        Priority: priority,
        Type: 'Mechanical',
        SuppliedName: 'Dana Okafor',
      },
      technician: { name: 'Dana Okafor' },
      photos: [],
    },
  });
  expect(response.status()).toBe(201);
  return id;
}

/** WCAG 2.2 AA checks (axe-core) of what the page shows now: the violations. */
export async function accessibilityViolations(page: Page) {
  const { default: AxeBuilder } = await import('@axe-core/playwright');
  const results = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'])
    .analyze();
  return results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.length}× e.g. ${v.nodes[0]?.target})`);
}

/** Signs `request` in as the demo dispatcher; the headers its writes need and the intake as the console sees it. */
async function dispatcherSees(request: import('@playwright/test').APIRequestContext, baseURL: string, id: string) {
  const headers = { Origin: baseURL };
  const signedIn = await request.post('/api/v1/session', {
    headers,
    data: { email: STAFF.dispatcher, password: STAFF.password },
  });
  expect(signedIn.status()).toBe(200);
  const intake = await (await request.get(`/api/v1/console/intakes/${id}`)).json();
  return { headers, intake };
}

/** A dispatcher approves an intake through the console's API (for flows whose subject is elsewhere). */
export async function approveByApi(
  request: import('@playwright/test').APIRequestContext,
  baseURL: string,
  id: string,
) {
  const { headers, intake } = await dispatcherSees(request, baseURL, id);
  const approved = await request.post(`/api/v1/console/intakes/${id}/approve`, {
    headers,
    data: { revision: intake.revision },
  });
  expect(approved.status()).toBe(200);
}

/** A dispatcher corrects an intake's fields through the console's API (as another dispatcher would). */
export async function editByApi(
  request: import('@playwright/test').APIRequestContext,
  baseURL: string,
  id: string,
  fields: Record<string, string>,
) {
  const { headers, intake } = await dispatcherSees(request, baseURL, id);
  const edited = await request.patch(`/api/v1/console/intakes/${id}`, {
    headers,
    data: { revision: intake.revision, fields },
  });
  expect(edited.status()).toBe(200);
}

/**
 * A UUID version 7, as the app makes an intake id (the server refuses any
 * other version): 48 bits of Unix milliseconds, then random bits.
 */
export function uuidV7(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  const ms = BigInt(Date.now());
  for (let i = 0; i < 6; i++) {
    bytes[i] = Number((ms >> BigInt(8 * (5 - i))) & 0xffn);
  }
  bytes[6] = (bytes[6] & 0x0f) | 0x70;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
