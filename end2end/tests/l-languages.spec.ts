// Two languages: a phone set to Spanish gets the technician's app in
// Spanish (the server's first paint, the app, the review engine, the status
// panel's and the code page's scripts), the switcher changes it and the
// choice is remembered; the embed speaks the portal's language. axe-clean in
// Spanish too.
import { test, expect, accessibilityViolations } from './fixtures';
import * as fs from 'fs';
import * as path from 'path';

const catalog = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'i18n', 'es.json'), 'utf8'));

const ASSET = 'Chiller CH-2';
const es = (english: string) => {
  const words = (catalog as Record<string, string>)[english];
  if (!words) throw new Error(`no Spanish for ${english}`);
  return words;
};

test.describe('a phone in Spanish', () => {
  test.use({ locale: 'es-ES' });

  test('gets the app in Spanish, and the switch to English is remembered', async ({ page, assets }) => {
    // Five page loads, two axe runs: more than the default budget on a slow phone profile.
    test.slow();
    const asset = assets[ASSET];
    await page.goto(`/a/${asset.token}`);
    await expect(page.locator('html')).toHaveAttribute('lang', 'es');
    await expect(page.getByRole('heading', { level: 1, name: asset.name })).toBeVisible();
    await expect(page.getByText(es('Equipment'), { exact: true })).toBeVisible();
    await expect(page.getByText(es('Model'), { exact: true })).toBeVisible();
    // The app (its own build in Spanish), once it has the context.
    const notes = page.getByLabel(es('What did you find?'));
    await expect(notes).toBeVisible();
    await expect(page.getByRole('button', { name: es('Take photo') })).toBeVisible();
    await expect(page.getByRole('button', { name: es('Choose from gallery') })).toBeVisible();
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.screenshot({ path: '/tmp/shots-lang/notes-es.png', fullPage: true });

    // The review, drawn by the engine's Spanish build.
    await notes.fill('l-languages: compressor tripping, code E-42, smell of burning');
    await page.getByLabel(es('Your name')).fill('Dana Okafor');
    await page.getByRole('button', { name: es('Review') }).click();
    await expect(page.getByRole('heading', { level: 1, name: es('Check the case') })).toBeVisible();
    await expect(page.getByText(es('More details'))).toBeVisible();
    await expect(page.getByRole('button', { name: es('Submit case') })).toBeVisible();
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.screenshot({ path: '/tmp/shots-lang/review-es.png', fullPage: true });
    await page.getByRole('button', { name: es('Back to notes') }).click();

    // The switcher: English, by its own name; the draft stays.
    await page.getByRole('link', { name: 'English' }).click();
    await expect(page.locator('html')).toHaveAttribute('lang', 'en');
    await expect(page).toHaveURL(new RegExp(`/a/${asset.token}$`));
    await expect(page.getByLabel('What did you find?')).toBeEditable({ timeout: 15000 });
    await expect(page.getByLabel('What did you find?')).toHaveValue(/compressor tripping/);
    await page.reload();
    await expect(page.getByLabel('What did you find?')).toBeVisible();
    await expect(page.locator('html')).toHaveAttribute('lang', 'en');
    // And back.
    await page.getByRole('link', { name: 'Español' }).click();
    await expect(page.locator('html')).toHaveAttribute('lang', 'es');
    // The app's own box (the server's first paint draws a read-only one).
    await expect(page.getByLabel(es('What did you find?'))).toBeEditable({ timeout: 15000 });
    await expect(page.getByLabel(es('What did you find?'))).toHaveValue(/compressor tripping/);
  });

  test('a code that is not active says so in Spanish, and so does the code form', async ({ page }) => {
    await page.goto('/a/AAAAAAAAAAAAAAAAAAAA');
    await expect(page.locator('html')).toHaveAttribute('lang', 'es');
    await expect(page.getByRole('heading', { level: 1, name: es('Code not active') })).toBeVisible();
    const code = page.getByRole('textbox');
    await code.fill('ABC');
    await code.press('Enter');
    await expect(page.getByRole('alert')).toContainText(
      es("That code doesn't look right: an asset code has {} characters; this one has {}.").split('{}')[0],
    );
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.screenshot({ path: '/tmp/shots-lang/code-es.png' });
  });
});
