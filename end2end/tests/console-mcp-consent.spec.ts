import { createHash } from 'node:crypto';
import { test, expect, STAFF } from './fixtures';

// A dispatcher connects an AI assistant (an MCP client): the assistant sends
// them to fieldcase's consent page; not signed in, they sign in first and
// come back to it; it names the assistant and what it may do; Allow sends
// the browser back to the assistant with a code it can exchange (PKCE).

async function registered(request: import('@playwright/test').APIRequestContext, callback: string, name: string) {
  const response = await request.post('/oauth/register', {
    data: { client_name: name, redirect_uris: [callback], token_endpoint_auth_method: 'none' },
  });
  expect(response.status()).toBe(201);
  return (await response.json()).client_id as string;
}

function authorizeUrl(clientId: string, callback: string, challenge: string) {
  const q = new URLSearchParams({
    response_type: 'code',
    client_id: clientId,
    redirect_uri: callback,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    scope: 'assets:read intakes:propose intakes:read',
    state: 'from-the-assistant',
  });
  return `/oauth/authorize?${q}`;
}

test('a dispatcher allows an AI assistant after signing in', async ({ page, request, baseURL }, testInfo) => {
  const callback = `${baseURL}/assistant-callback`;
  const name = `Claude (${testInfo.project.name})`;
  const clientId = await registered(request, callback, name);
  const verifier = `verifier-${'x'.repeat(50)}`;
  const challenge = createHash('sha256').update(verifier).digest('base64url');

  await page.goto(authorizeUrl(clientId, callback, challenge));
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await page.getByLabel('Email').fill(STAFF.dispatcher);
  await page.getByLabel('Password').fill(STAFF.password);
  await page.getByRole('button', { name: 'Sign in' }).click();

  await expect(page.getByRole('heading', { name: 'Connect an AI assistant' })).toBeVisible();
  await expect(page.getByText(`${name} asks to use fieldcase as you (${STAFF.dispatcher})`)).toBeVisible();
  const scopes = page.getByRole('listitem');
  await expect(scopes).toHaveCount(3);
  await expect(scopes.nth(1)).toContainText('Propose new intakes on your behalf');
  await expect(page.getByText('It cannot approve intakes')).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath('consent.png'), fullPage: true });

  await page.getByRole('button', { name: 'Allow' }).click();
  await page.waitForURL(/\/assistant-callback\?/);
  const back = new URL(page.url());
  expect(back.searchParams.get('state')).toBe('from-the-assistant');
  const token = await request.post('/oauth/token', {
    form: {
      grant_type: 'authorization_code',
      code: back.searchParams.get('code') ?? '',
      redirect_uri: callback,
      client_id: clientId,
      code_verifier: verifier,
    },
  });
  expect(token.status()).toBe(200);
  const tokens = await token.json();
  expect(tokens.token_type).toBe('Bearer');

  // The assistant proposes an intake; it arrives in the dispatcher's queue
  // marked as AI-proposed, and waits there for a person.
  const call = async (name: string, args: object) => {
    const response = await request.post('/mcp', {
      headers: {
        authorization: `Bearer ${tokens.access_token}`,
        accept: 'application/json, text/event-stream',
        'mcp-protocol-version': '2025-06-18',
      },
      data: { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name, arguments: args } },
    });
    expect(response.status()).toBe(200);
    const result = (await response.json()).result;
    expect(result.isError ?? false).toBe(false);
    return result.structuredContent;
  };
  const found = await call('find_assets', { name: 'air handler' });
  const subject = `AHU-3 belt squeal reported by phone (${testInfo.project.name} ${Date.now()})`;
  await page.goto('/console/');
  await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible();
  const proposed = await call('propose_intake', {
    asset_id: found.assets[0].asset_id,
    notes: 'Caller says the air handler belt squeals at start-up, no hazard mentioned.',
    fields: { Subject: subject, Priority: 'Medium' },
    idempotency_key: `e2e-${Date.now()}`,
  });
  expect(proposed.status).toBe('in_review');
  const row = page.getByRole('row').filter({ hasText: subject });
  await expect(row).toBeVisible();
  await expect(row.getByText('AI-proposed')).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath('queue-ai-proposed.png'), fullPage: true });
});

test('a dispatcher who denies gives the assistant nothing', async ({ page, request, baseURL }, testInfo) => {
  const callback = `${baseURL}/assistant-callback`;
  const clientId = await registered(request, callback, `Unwanted (${testInfo.project.name})`);
  await page.goto('/console/sign-in');
  await page.getByLabel('Email').fill(STAFF.dispatcher);
  await page.getByLabel('Password').fill(STAFF.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible();

  await page.goto(authorizeUrl(clientId, callback, 'c'.repeat(43)));
  await page.getByRole('button', { name: 'Deny' }).click();
  await page.waitForURL(/\/assistant-callback\?/);
  const back = new URL(page.url());
  expect(back.searchParams.get('error')).toBe('access_denied');
  expect(back.searchParams.get('code')).toBeNull();
});
