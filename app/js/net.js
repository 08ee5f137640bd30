// The first load's only tie to offline.js (loaded after first paint): call
// one of its functions by name. Its URL is in <meta name="fieldcase-offline">.
let m;
export function fc_off(op, a, b, c, d) {
  m ??= import(document.querySelector('meta[name=fieldcase-offline]').content)
    .then(() => self.fcOffline)
    .catch((e) => { m = null; throw e; });
  return m.then((o) => o[op](a, b, c, d));
}
