// The technician's screens: review triage first, the confirmation naming
// what was sent, each screen announced (title, focus on its heading), the
// phone's Back button moving between screens, axe-clean throughout.
import { test, expect, openAsset, writeNotes, fieldOf, accessibilityViolations } from './fixtures';
import type { Page } from '@playwright/test';

const ASSET = 'Air handler AHU-3';

const exactly = (text: string) => new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);

/** The element that has the keyboard focus, by its accessible name or id. */
async function focusedHeading(page: Page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    return el?.tagName === 'H1' ? el.textContent : `not a heading: ${el?.tagName}#${el?.id}`;
  });
}

test('review puts triage first, marks what the engine is unsure of, and folds the rest', async ({
  page,
  assets,
}) => {
  await openAsset(page, assets[ASSET]);
  await writeNotes(page, 'k-triage: might be smoke from the fan motor? belt squealing, code E-17');
  await page.getByRole('button', { name: 'Review' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Check the case' })).toBeVisible();
  await page.screenshot({ path: '/tmp/shots-wip-screens/review.png' });

  // Subject, Priority, Type and Safety hazard, in that order, on the first
  // screen of a phone like the Pixel 7 (and a desktop); on a 640-pixel-tall
  // phone, Subject and Priority on it and the other two next.
  const viewport = page.viewportSize()!;
  const onFirstScreen = viewport.height >= 700 ? 4 : 2;
  let last = 0;
  for (const [i, label] of ['Subject', 'Priority', 'Type', 'Safety hazard'].entries()) {
    const control = page.getByLabel(label);
    await expect(control).toBeVisible();
    const box = (await control.boundingBox())!;
    expect(box.y, `${label} below the one before`).toBeGreaterThan(last);
    if (i < onFirstScreen) {
      expect(box.y + box.height, `${label} on the first screen`).toBeLessThanOrEqual(viewport.height);
    }
    last = box.y;
  }
  // "might be smoke?": High, but unsure — and it shows.
  await expect(page.getByLabel('Priority')).toHaveValue('High');
  await expect(fieldOf(page, 'Priority').getByText('unsure')).toBeVisible();
  await expect(fieldOf(page, 'Priority')).toHaveCSS('border-left-width', '6px');

  // The rest is folded, the values kept; the technician's details on one line.
  await expect(page.getByLabel('Error code')).toBeHidden();
  await expect(page.getByLabel('Error code')).toHaveValue('E-17');
  await expect(page.getByText('Sent as Dana Okafor')).toBeVisible();
  await expect(page.getByLabel('Your name')).toBeHidden();
  await page.getByText('More details').click();
  await expect(page.getByLabel('Error code')).toBeVisible();
  await page.getByText('Sent as Dana Okafor').click();
  await expect(page.getByLabel('Your name')).toHaveValue('Dana Okafor');

  // The whole review is about one phone screen (plus the buttons); on a
  // 640-pixel-tall phone, under two (it was 2.5 on a Pixel 7 before triage).
  await page.getByText('More details').click();
  await page.getByText('Sent as Dana Okafor').click();
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  expect(height).toBeLessThanOrEqual(viewport.height * (viewport.height >= 700 ? 1.5 : 2));

  // A problem in a folded field opens its fold, from the summary too.
  await page.getByText('Sent as Dana Okafor').click();
  await page.getByLabel('Your name').fill('');
  await page.getByText('Sent as').click();
  await page.getByRole('button', { name: 'Submit case' }).click();
  await expect(page.getByLabel('Your name')).toBeFocused();
  await expect(page.getByLabel('Your name')).toHaveAttribute('aria-invalid', 'true');
});

test('each screen has its title and heading, the confirmation names what was sent, and Back returns to the previous screen', async ({
  page,
  assets,
  intakesFor,
}) => {
  await openAsset(page, assets[ASSET]);
  await expect(page).toHaveTitle(`${ASSET} · fieldcase`);
  expect(await accessibilityViolations(page)).toEqual([]);
  const notes = 'k-back: supply fan bearing noise at high speed, filter pressure 250 Pa';
  await writeNotes(page, notes);

  await page.getByRole('button', { name: 'Review' }).click();
  await expect(page).toHaveTitle(`Check the case · ${ASSET} · fieldcase`);
  await expect.poll(() => focusedHeading(page)).toBe('Check the case');
  await expect(page.getByLabel('Subject')).toBeVisible();
  expect(await accessibilityViolations(page)).toEqual([]);

  // The phone's Back: the notes, as written, still in the app.
  await page.goBack();
  await expect(page.getByLabel('What did you find?')).toHaveValue(notes);
  await expect(page).toHaveTitle(`${ASSET} · fieldcase`);
  await expect.poll(() => focusedHeading(page)).toBe(ASSET);
  await expect(page).toHaveURL(new RegExp(`/a/${assets[ASSET].token}$`));
  // Forward again, and the app's own button back: the same one entry.
  await page.goForward();
  await expect(page.getByRole('heading', { level: 1, name: 'Check the case' })).toBeVisible();
  await page.getByRole('button', { name: 'Back to notes' }).click();
  await expect(page.getByLabel('What did you find?')).toHaveValue(notes);
  await page.getByRole('button', { name: 'Review' }).click();
  await expect(page.getByLabel('Priority')).toBeVisible();
  const priority = await page.getByLabel('Priority').inputValue();
  const subject = await page.getByLabel('Subject').inputValue();

  await page.getByRole('button', { name: 'Submit case' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Sent for review' })).toBeVisible();
  await expect.poll(() => focusedHeading(page)).toBe('Sent for review');
  await expect(page).toHaveTitle(`Sent for review · ${ASSET} · fieldcase`);
  const stored = intakesFor(ASSET).filter((i) => i.notes === notes);
  expect(stored).toHaveLength(1);
  await expect(page.locator('#reference')).toHaveText(stored[0].reference);
  const sent = page.getByRole('definition');
  await expect(page.getByRole('term').filter({ hasText: 'Equipment' })).toBeVisible();
  await expect(sent.filter({ hasText: exactly(ASSET) })).toBeVisible();
  await expect(sent.filter({ hasText: exactly(priority) })).toBeVisible();
  await expect(sent.filter({ hasText: exactly(subject) })).toBeVisible();
  await expect(sent.filter({ hasText: exactly('None') })).toBeVisible();
  expect(stored[0].fields.Subject).toBe(subject);
  expect(stored[0].fields.Priority).toBe(priority);
  expect(await accessibilityViolations(page)).toEqual([]);
  await page.screenshot({ path: '/tmp/shots-wip-screens/confirmation.png' });

  // Back from the confirmation: a fresh notes screen, not the sent review.
  await page.goBack();
  await expect(page.getByLabel('What did you find?')).toHaveValue('');
  await expect(page.getByRole('heading', { level: 1, name: ASSET })).toBeVisible();
  expect(intakesFor(ASSET).filter((i) => i.notes === notes)).toHaveLength(1);
});

test('someone already in the notes box when the app takes over stays in it', async ({ page, assets }) => {
  // The app waits for the asset's details: hold them, as a slow network would.
  let release = () => {};
  const held = new Promise<void>((r) => (release = r));
  await page.route('**/api/v1/assets/*', async (route) => {
    await held;
    await route.continue();
  });
  await page.goto(`/a/${assets[ASSET].token}`);
  const box = page.getByLabel('What did you find?');
  // The server's first paint: the box is there, read-only until the app is.
  await expect(box).toBeVisible();
  await expect(box).not.toBeEditable();
  await box.focus();
  release();
  await expect(box).toBeEditable();
  await expect(box).toBeFocused();
  await page.keyboard.type('typed once the app took over');
  await expect(box).toHaveValue('typed once the app took over');
});

test('the whole flow works with the keyboard alone, every stop showing its focus ring', async ({
  page,
  assets,
  intakes,
  intakesFor,
}) => {
  await openAsset(page, assets[ASSET]);
  // The server's first paint shows a read-only box; the app's takes its
  // place once loaded (typing before that would be lost on a real phone too).
  await expect(page.getByLabel('What did you find?')).toBeEditable();
  const notes = `k-keys ${Date.now()}: condensate tray overflowing, drain blocked, water on the floor`;

  /** Tab until `target` has the focus, checking the ring at every stop. */
  async function tabTo(target: import('@playwright/test').Locator, max = 40) {
    for (let i = 0; i < max; i++) {
      await page.keyboard.press('Tab');
      const ring = await page.evaluate(() => {
        const el = document.activeElement as HTMLElement | null;
        if (!el || el === document.body) return 'none';
        // A visually hidden file input shows its ring on its label.
        const shown =
          el.matches('.visually-hidden') && el.id
            ? (document.querySelector(`label[for="${el.id}"]`) as HTMLElement)
            : el;
        const s = getComputedStyle(shown);
        return s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2
          ? 'ok'
          : `no ring on ${el.tagName}#${el.id} ${el.textContent?.slice(0, 30)}`;
      });
      expect(ring).toBe('ok');
      if (await target.evaluate((el) => el === document.activeElement)) return;
    }
    throw new Error(`never reached ${target}`);
  }

  await tabTo(page.getByLabel('What did you find?'));
  await page.keyboard.type(notes);
  await tabTo(page.getByLabel('Your name'));
  await page.keyboard.press('Control+A');
  await page.keyboard.type('Kim Keys');
  await tabTo(page.getByRole('button', { name: 'Review' }));
  await page.keyboard.press('Enter');
  await expect.poll(() => focusedHeading(page)).toBe('Check the case');
  // Open the folded details with the keyboard too.
  await tabTo(page.locator('summary', { hasText: 'More details' }));
  await page.keyboard.press('Enter');
  await expect(page.getByLabel('Error code')).toBeVisible();
  await tabTo(page.getByRole('button', { name: 'Submit case' }));
  await page.keyboard.press('Space');
  await expect(page.getByRole('heading', { level: 1, name: 'Sent for review' })).toBeVisible();
  await expect.poll(() => focusedHeading(page)).toBe('Sent for review');
  // The reference on the screen is the intake stored, with what was typed.
  const reference = await page.locator('#reference').innerText();
  const stored = intakes().filter((i) => i.reference === reference);
  expect(stored.map((i) => [i.asset_name, i.technician.name, i.notes])).toEqual([[ASSET, 'Kim Keys', notes]]);
  expect(intakesFor(ASSET).filter((i) => i.notes === notes)).toHaveLength(1);
});
