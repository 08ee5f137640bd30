// The first load's only tie to offline.js (loaded after first paint): call
// one of its functions by name. Its URL is in <meta name="fieldcase-offline">.
// `start` (service worker, storage, status) waits for the first idle moment.
let m;
export function fc_off(op, a, b, c, d) {
  m ??= import(document.querySelector('meta[name=fieldcase-offline]').content)
    .then(() => self.fcOffline)
    .catch((e) => { m = null; throw e; });
  const idle = op == 'start' && self.requestIdleCallback && new Promise((r) => requestIdleCallback(r, { timeout: 2000 }));
  return m.then(async (o) => (await idle, o[op](a, b, c, d)));
}
