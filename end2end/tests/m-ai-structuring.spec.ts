import { test, expect, fieldOf } from './fixtures';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import { freePort, startServer, stopServer } from './own-server';
import * as os from 'node:os';
import * as path from 'node:path';

// With Claude configured on the server, the review shows the values it
// proposed that quote the notes, marked AI-proposed, and the ones it made up
// are the phone's own. Its own server (with --anthropic-base-url) and a
// stand-in for the Messages API, so the others run without it.

const DIST = path.resolve(__dirname, '../../dist');
const NOTES = 'Condensate tray overflowing onto the ceiling tiles, no rush, next visit is fine.';

/** The Messages API, as far as fieldcase uses it: one forced tool call. */
async function messagesApi(): Promise<{ url: string; asked: () => number; close: () => void }> {
  let asked = 0;
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      asked++;
      const request = JSON.parse(body);
      const tool = request.tools[0].name;
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          id: 'msg_e2e',
          type: 'message',
          role: 'assistant',
          content: [
            {
              type: 'tool_use',
              id: 'toolu_e2e',
              name: tool,
              input: {
                // Quotes the notes: kept, marked AI-proposed.
                Type: { value: 'Structural', quotes: ['onto the ceiling tiles'] },
                // Quotes words that are not there: dropped.
                Priority: { value: 'High', quotes: ['water pouring onto the switchboard'] },
              },
            },
          ],
          stop_reason: 'tool_use',
        }),
      );
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const port = (server.address() as net.AddressInfo).port;
  return { url: `http://127.0.0.1:${port}`, asked: () => asked, close: () => server.close() };
}

test('with Claude on the server, the review marks what it proposed and keeps only what quotes the notes', async ({
  page,
  fieldcaseBin,
}, testInfo) => {
  test.skip(testInfo.project.name !== 'phone', 'one phone is enough: the server is what differs');
  // Stopping its own server waits for the server's workers to drain (up to
  // 15 s on a busy machine), as j-new-release's restart does.
  test.setTimeout(60_000);
  const claude = await messagesApi();
  const data = fs.mkdtempSync(path.join(os.tmpdir(), 'fieldcase-claude-'));
  const port = await freePort();
  const server = await startServer(fieldcaseBin, {
    dist: DIST,
    data,
    port,
    env: { FIELDCASE_ANTHROPIC_API_KEY: 'sk-ant-e2e-stand-in', FIELDCASE_ANTHROPIC_BASE_URL: claude.url },
  });
  try {
    const links = JSON.parse(fs.readFileSync(path.join(data, 'demo-links.json'), 'utf8'));
    const asset = links.find((l: { name: string }) => l.name === 'Air handler AHU-3');
    await page.goto(`http://127.0.0.1:${port}/a/${asset.token}`);
    await expect(page.getByRole('heading', { level: 1, name: asset.name })).toBeVisible();
    await page.getByLabel('What did you find?').fill(NOTES);
    await page.getByLabel('Your name').fill('Ana Ruiz');
    await page.getByRole('button', { name: 'Review' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Check the case' })).toBeVisible();

    // Claude's Type, with the words it read it from, marked as the AI's.
    await page.getByText('More details').click();
    await expect(page.getByLabel('Type')).toHaveValue('Structural');
    const type = fieldOf(page, 'Type');
    await expect(type.getByText('AI-proposed')).toBeVisible();
    await expect(type.locator('mark', { hasText: 'onto the ceiling tiles' })).toBeVisible();
    // Its High quoted words that are not in the notes: the phone's own Low.
    await expect(page.getByLabel('Priority')).toHaveValue('Low');
    await expect(fieldOf(page, 'Priority').getByText('AI-proposed')).toHaveCount(0);
    expect(claude.asked()).toBe(1);
    await page.screenshot({ path: testInfo.outputPath('review-with-claude.png'), fullPage: true });

    await page.getByRole('button', { name: 'Submit case' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Sent for review' })).toBeVisible();
    const stored = JSON.parse(
      execFileSync(fieldcaseBin, ['intakes', 'list', '--json', '--data-dir', data], {
        encoding: 'utf8',
        env: { ...process.env, RUST_LOG: 'error' },
      }),
    ).filter((i: { notes: string }) => i.notes === NOTES);
    expect(stored).toHaveLength(1);
    expect(stored[0].fields.Type).toBe('Structural');
    expect(stored[0].fields.Priority).toBe('Low');
  } finally {
    await stopServer(server);
    claude.close();
  }
});
