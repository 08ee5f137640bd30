// A fieldcase server of a spec's own (`serve --demo` on a free port, its own
// data folder), for flows that change the server under the phone (a new
// release) or need other settings (a model to structure notes), without
// touching the shared servers the other specs use.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';

export function freePort(): Promise<number> {
  return new Promise((ok, no) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => ok(port));
    });
    s.on('error', no);
  });
}

/** Start it and wait until it answers and has written its demo links. */
export async function startServer(
  bin: string,
  opts: { dist: string; data: string; port: number; env?: Record<string, string> },
): Promise<ChildProcess> {
  const { dist, data, port } = opts;
  const child = spawn(bin, ['serve', '--demo', '--data-dir', data, '--dist', dist, '--addr', `127.0.0.1:${port}`], {
    env: { ...process.env, RUST_LOG: 'warn', ...opts.env },
    stdio: 'ignore',
  });
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok && fs.existsSync(path.join(data, 'demo-links.json'))) {
        return child;
      }
    } catch (_) {}
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill();
  throw new Error('the server did not start');
}

export async function stopServer(child: ChildProcess) {
  if (child.exitCode !== null) return;
  const gone = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await gone;
}
