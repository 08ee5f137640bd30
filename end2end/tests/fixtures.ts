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
  /** Every intake stored for one asset, read with `fieldcase intakes list --json`. */
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

  intakesFor: async ({ dataDir, fieldcaseBin }, use) => {
    await use((assetName: string) => {
      const out = execFileSync(fieldcaseBin, ['intakes', 'list', '--json', '--data-dir', dataDir], {
        encoding: 'utf8',
        env: { ...process.env, RUST_LOG: 'error' },
      });
      const all: Intake[] = JSON.parse(out);
      return all.filter((i) => i.asset_name === assetName);
    });
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
