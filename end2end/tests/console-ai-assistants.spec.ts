import { createHash } from 'node:crypto';
import { test, expect, signIn, STAFF } from './fixtures';

// An admin sees which AI assistants people connected, on whose behalf and
// what they may do, and revokes one: its token stops working at once.

test('an admin revokes an AI assistant a dispatcher connected', async ({ browser, page, request, baseURL }, testInfo) => {
  const name = `Assistant to revoke (${testInfo.project.name}-${Date.now()})`;
  const callback = `${baseURL}/assistant-callback`;
  const registered = await request.post('/oauth/register', {
    data: { client_name: name, redirect_uris: [callback] },
  });
  const clientId = (await registered.json()).client_id as string;
  const verifier = `verifier-${'y'.repeat(50)}`;
  const q = new URLSearchParams({
    response_type: 'code',
    client_id: clientId,
    redirect_uri: callback,
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    scope: 'assets:read intakes:propose',
    state: 's',
  });

  // A dispatcher connects it (in their own browser).
  const dispatcher = await browser.newPage();
  await signIn(dispatcher, STAFF.dispatcher);
  await dispatcher.goto(`/oauth/authorize?${q}`);
  await dispatcher.getByRole('button', { name: 'Allow' }).click();
  await dispatcher.waitForURL(/\/assistant-callback\?/);
  const code = new URL(dispatcher.url()).searchParams.get('code') ?? '';
  await dispatcher.close();
  const tokens = await (
    await request.post('/oauth/token', {
      form: { grant_type: 'authorization_code', code, redirect_uri: callback, client_id: clientId, code_verifier: verifier },
    })
  ).json();
  const list = { jsonrpc: '2.0', id: 1, method: 'tools/list' };
  const mcp = (token: string) =>
    request.post('/mcp', {
      data: list,
      headers: { authorization: `Bearer ${token}`, accept: 'application/json, text/event-stream' },
    });
  expect((await mcp(tokens.access_token)).status()).toBe(200);

  // The admin's page lists it and revokes it.
  await signIn(page, STAFF.admin);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'AI assistants' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'AI assistants' })).toBeVisible();
  const row = page.getByRole('row').filter({ hasText: name });
  await expect(row).toContainText(STAFF.dispatcher);
  await expect(row).toContainText('look up assets, propose intakes for review');
  await expect(row).toContainText('Active');
  await page.screenshot({ path: `/tmp/shots-wip-mcp/assistants-${testInfo.project.name}.png`, fullPage: true });
  await row.getByRole('button', { name: `Revoke ${name} for ${STAFF.dispatcher}` }).click();
  await expect(row).toContainText('Revoked');
  await expect(row.getByRole('button')).toHaveCount(0);
  expect((await mcp(tokens.access_token)).status()).toBe(401);
});
