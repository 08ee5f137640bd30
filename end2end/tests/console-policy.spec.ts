import { test, expect, signIn, STAFF, submitByApi, accessibilityViolations } from './fixtures';

// An admin governs the workflow from one page: tries an auto-approve rule
// against the intakes already in, sees a mistake refused next to its rule
// with the draft kept, saves a change, and finds it as a new version with
// who saved it and what changed. (Nothing saved here approves or escalates
// anything, so the other flows sharing this server are not affected.)
const ASSET = 'Backup generator G-1';

test('an admin tries, corrects and saves the policy', async ({ page, request, assets }, testInfo) => {
  test.skip(testInfo.project.name !== 'desktop', 'a console flow: desktop only');
  await submitByApi(request, assets[ASSET], `Generator G-1 panel door rattles (${Date.now()})`, 'Low');

  await signIn(page, STAFF.admin);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Policy' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Policy' })).toBeVisible();
  const actions = page.getByRole('region', { name: 'Actions in the CRM' });
  await expect(actions.getByRole('checkbox', { name: 'Create cases' })).toBeChecked();
  await expect(actions).toContainText('no action that deletes');
  const fields = page.getByRole('region', { name: 'Fields it may write' });
  await expect(fields.getByRole('checkbox', { name: /Subject/ })).toBeChecked();
  expect(await accessibilityViolations(page)).toEqual([]);

  // A rule for Low priority with no hazard, tried first: the dry run counts
  // what it would have approved among the intakes already in.
  const auto = page.getByRole('region', { name: 'Approved by a rule, without a person' });
  await auto.getByRole('button', { name: 'Add an auto-approve rule' }).click();
  const rule = auto.getByRole('group', { name: 'Rule 1' });
  await rule.getByRole('checkbox', { name: 'Low' }).check();
  await rule.getByRole('checkbox', { name: 'and no safety hazard' }).check();
  await page.getByRole('button', { name: 'Try against the last 500 intakes' }).click();
  const dry = page.getByRole('region', { name: 'Dry run' });
  await expect(dry).toContainText(/Of the last \d+ intakes?: [1-9]\d* auto-approved/);
  await expect(dry.getByRole('table')).toContainText('approved by rule "rule 1"');

  // Saved without a name (it is what the audit trail records as the
  // approver): refused next to the rule, nothing lost.
  await rule.getByLabel('Name (recorded as the approver)').fill('');
  await page.getByRole('button', { name: 'Save policy' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'The policy was not saved' })).toBeVisible();
  await expect(rule.getByRole('alert')).toContainText('review.auto_approve[0]');
  await expect(rule.getByRole('checkbox', { name: 'Low' })).toBeChecked();
  await page.screenshot({ path: testInfo.outputPath('console-policy-refused.png'), fullPage: true });

  // The rule is dropped again; a person must look at anything with more
  // than 8 photos. Saved: a new version, by this admin, with its diff.
  await rule.getByRole('button', { name: 'Remove rule 1' }).click();
  await expect(auto.getByRole('group')).toHaveCount(0);
  const always = page.getByRole('region', { name: 'Always needs a person when' });
  await always.getByLabel('More photos than (empty: never)').fill('8');
  await always.getByLabel('More photos than (empty: never)').blur();
  // The regulated customer's own health terms replace the built-in list.
  const personal = page.getByRole('region', { name: 'Personal data' });
  await expect(personal.getByRole('checkbox', { name: /^Approve an intake only once/ })).not.toBeChecked();
  await personal.getByLabel(/^Health terms/).fill('ward round\nblood test');
  await personal.getByLabel(/^Health terms/).blur();
  await page.getByRole('button', { name: 'Save policy' }).click();
  await expect(page.getByRole('status').filter({ hasText: /^Saved as version \d+\.$/ })).toBeVisible();
  await expect(page.getByText(/^Version \d+ — saved by admin@fieldcase\.example/)).toBeVisible();
  const versions = page.getByRole('region', { name: 'Versions' });
  const newest = versions.getByRole('row').nth(1);
  await expect(newest).toContainText(STAFF.admin);
  await expect(newest).toContainText('review.always_review');
  await expect(newest).toContainText('photos_over');
  await expect(newest).toContainText('personal_data.health_terms');

  // The read-only JSON view says the same.
  await page.getByText('The policy as JSON (read-only)').click();
  await expect(page.getByLabel('Policy JSON')).toHaveValue(/"photos_over": 8/);
  await expect(page.getByLabel('Policy JSON')).toHaveValue(/"health_terms": \[\s*"ward round",\s*"blood test"\s*\]/);
  await page.screenshot({ path: testInfo.outputPath('console-policy.png'), fullPage: true });

  // Reloaded, the page shows what is in force.
  await page.reload();
  await expect(page.getByLabel('More photos than (empty: never)')).toHaveValue('8');
});
