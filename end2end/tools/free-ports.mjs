// Prints a base port B such that B+1 … B+SPAN are all free on 127.0.0.1.
//
// The browser tests start one server and one demo org per project on fixed
// offsets from B. A fixed B once collided with a port the machine had handed
// out to an outgoing connection (Linux picks those from 32768–60999), and
// the whole browser suite failed to start. So the search stays below that
// range, and every port is proven free by binding it, not assumed.
import * as net from 'node:net';

const SPAN = 14;
const FIRST = 20000;
const LAST = 32000;

function free(port) {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen({ host: '127.0.0.1', port, exclusive: true }, () => s.close(() => resolve(true)));
  });
}

async function allFree(base) {
  for (let p = base + 1; p <= base + SPAN; p++) {
    if (!(await free(p))) return false;
  }
  return true;
}

// Start at a random step so two runs on one machine rarely probe the same ports.
const steps = Math.floor((LAST - FIRST) / 20);
const start = Math.floor(Math.random() * steps);
for (let i = 0; i < steps; i++) {
  const base = FIRST + ((start + i) % steps) * 20;
  if (await allFree(base)) {
    console.log(base);
    process.exit(0);
  }
}
console.error(`no ${SPAN} free ports between ${FIRST} and ${LAST} on 127.0.0.1`);
process.exit(1);
