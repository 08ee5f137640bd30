#!/usr/bin/env bash
# Trunk's post_build hook (Trunk.toml), run with the staging dir ready:
#
# 1. The review engine, engine/: built as a second WebAssembly module beside
#    the app, and named in index.html so the app can fetch it.
#    The engine (structuring, validation, serde) is fetched by the app after
#    the intake page's first paint, so it is not in the first load. It has no
#    JavaScript glue (engine/src/main.rs), so cargo and wasm-opt build it
#    here rather than Trunk's rust pipeline (which always runs wasm-bindgen).
#    Its file name carries a hash of its content (served as immutable),
#    written into index.html as <meta name="fieldcase-engine" content="/…wasm">.
#    It builds with whatever the app was built with: the same profile, target
#    dir, toolchain and flags (RUSTUP_TOOLCHAIN, CARGO_UNSTABLE_BUILD_STD,
#    CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS are inherited from Trunk's
#    environment), offline when Trunk is.
# 2. Release builds: wasm-bindgen's JS glue minified with terser, and its
#    integrity hash in index.html updated (scripts/minify-js.mjs).
# 3. The photo pipeline (app/js/photos.js): hashed, named in index.html as
#    <meta name="fieldcase-photos">, loaded by the app on the first photo
#    (scripts/photos-js.mjs; minified in release builds).
# 4. The app's WebAssembly and JS glue load after the first paint
#    (scripts/boot-after-paint.mjs): Trunk's preloads go, and its boot
#    script imports the glue once the first frame is painted, so on a slow
#    link the stylesheet, which the first paint (the server-drawn card)
#    waits for, does not share the link with 100 KB of WebAssembly the first
#    paint does not need.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
staging="${TRUNK_STAGING_DIR:?run this from Trunk (Trunk.toml hooks)}"
target_dir="${CARGO_TARGET_DIR:-$root/target}"
say() { echo "post-build: $*" >&2; }

if [ "${TRUNK_PROFILE:-release}" = release ]; then
  release=1 profile=wasm-release dir=wasm-release
else
  release='' profile=dev dir=debug
fi

# 1. The engine, and the QR decoder (scanner/: fetched by the "code not
#    active" page, public/code.js, only when Scan is tapped in a browser
#    without BarcodeDetector; named by <meta name="fieldcase-scanner">).
#    Both the same way: no JS glue, a hashed name, a <meta> in index.html.
build_module() {
  local crate="$1" bin="fieldcase-$1"
  local args=(build --target wasm32-unknown-unknown --profile "$profile"
              --manifest-path "$root/$crate/Cargo.toml" --bin "$bin")
  case "${TRUNK_OFFLINE:-}" in true | 1) args+=(--offline) ;; esac
  cargo "${args[@]}"

  local built="$target_dir/wasm32-unknown-unknown/$dir/$bin.wasm"
  local out="$staging/$bin.wasm"
  if [ -n "$release" ]; then
    # The same wasm-opt Trunk uses: on PATH (scripts/lib.sh puts npm's
    # binaryen first), else npm's, else the one Trunk keeps in its cache.
    local opt
    opt="$(command -v wasm-opt || true)"
    [ -n "$opt" ] || opt="$root/node_modules/.bin/wasm-opt"
    [ -x "$opt" ] || opt="$HOME/.cache/trunk/wasm-opt-version_132/bin/wasm-opt"
    [ -x "$opt" ] || { say "no wasm-opt found (run npm ci)"; exit 1; }
    "$opt" -Oz --strip-debug --strip-producers "$built" -o "$out"
  else
    cp "$built" "$out"
  fi

  local hash name url
  hash="$(sha256sum "$out" | cut -c1-16)"
  name="$bin-$hash.wasm"
  mv "$out" "$staging/$name"
  url="${TRUNK_PUBLIC_URL:-/}$name"
  sed -i "s|</head>|<meta name=\"$bin\" content=\"$url\"></head>|" "$staging/index.html"
  grep -q "$bin\" content=\"$url\"" "$staging/index.html" ||
    { say "could not write the $crate's URL into index.html"; exit 1; }
  say "$crate $name ($(wc -c <"$staging/$name") bytes)"
}
build_module engine
build_module scanner

# 2. The JS glue.
if [ -n "$release" ]; then
  [ -f "$root/node_modules/terser/package.json" ] || { say "terser missing (run npm ci)"; exit 1; }
  node "$root/scripts/minify-js.mjs" "$staging"
fi

# 3. The photo pipeline.
node "$root/scripts/photos-js.mjs" "$staging" "${TRUNK_PUBLIC_URL:-/}" ${release:+--minify}

# 4. The app loads after the first paint.
node "$root/scripts/boot-after-paint.mjs" "$staging"
