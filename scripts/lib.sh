# Shared by scripts/run, scripts/test and scripts/bench: install what is
# missing (and only that), then put the pinned tools on PATH.
# Every version here is pinned; nothing is downloaded from outside the
# package registries (crates.io, npm, Debian).

set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

TRUNK_VERSION=0.21.14
BINARYEN_VERSION=132.0.0
# The CLI must match the wasm-bindgen crate in Cargo.lock exactly.
WASM_BINDGEN_VERSION="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)"

# The front end builds in its own target dir so the server and the app can
# build at the same time without waiting on each other's lock.
export WASM_TARGET_DIR="$ROOT/target/wasm"

# The WebAssembly (and only it) builds with a nightly toolchain: std rebuilt
# for size (-Z build-std) with panics that abort at once and no Debug or
# panic-location strings, about a tenth off the first load. Everything else
# uses rust-toolchain.toml's stable. The nightly is the machine's `nightly`
# when it is exactly this one, else the dated toolchain of the same build.
WASM_NIGHTLY_RUSTC="(e50aa6fba 2026-05-19)"
WASM_NIGHTLY_DATED="nightly-2026-05-20"
WASM_TOOLCHAIN=""
WASM_RUSTFLAGS="-Zunstable-options -Cpanic=immediate-abort -Zfmt-debug=none -Zlocation-detail=none"
export PATH="$HOME/.cargo/bin:$ROOT/node_modules/.bin:$PATH"

# Each step says when it began (minutes:seconds since the script started), so
# a slow run's log shows where the time went.
say() { printf '\033[1m==> [%d:%02d] %s\033[0m\n' $((SECONDS / 60)) $((SECONDS % 60)) "$*" >&2; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

ensure_tools() {
  say "checking tools"
  # rust-toolchain.toml makes rustup install the pinned toolchain on first use.
  cargo --version >/dev/null
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    say "adding the wasm32 target"
    rustup target add wasm32-unknown-unknown
  fi
  # Both tools mostly wait on cargo and wasm-opt (wasm-bindgen's own work on
  # the app: 0.1 s either way): built at opt-level 1 without LTO, and Trunk
  # without its TLS and update-check features (it runs offline here and
  # never downloads). A new machine's installs took 6.6 min instead of 9.0.
  local quick=(CARGO_PROFILE_RELEASE_OPT_LEVEL=1 CARGO_PROFILE_RELEASE_LTO=false
               CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 CARGO_PROFILE_RELEASE_DEBUG=false)
  if [ "$(trunk --version 2>/dev/null)" != "trunk $TRUNK_VERSION" ]; then
    say "installing Trunk $TRUNK_VERSION (about 4 minutes, once)"
    env "${quick[@]}" cargo install trunk --version "$TRUNK_VERSION" --locked --no-default-features
  fi
  if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ]; then
    say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (about 2 minutes, once)"
    # Not --locked: its own lock file wants a crate the index no longer has.
    env "${quick[@]}" cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
  fi
  if [ "$(node_modules/.bin/wasm-opt --version 2>/dev/null | awk '{print $3}')" != "${BINARYEN_VERSION%%.*}" ] ||
    [ ! -f node_modules/terser/package.json ]; then
    say "installing wasm-opt and terser (npm binaryen@$BINARYEN_VERSION, package-lock.json)"
    npm ci --no-audit --no-fund --loglevel=error
  fi
  ensure_wasm_toolchain
}

# Sets WASM_TOOLCHAIN to the pinned nightly with rust-src, installing only
# what is missing; leaves it empty (the stable build, a bigger first load)
# when no such nightly can be had.
ensure_wasm_toolchain() {
  local tc
  for tc in nightly "$WASM_NIGHTLY_DATED"; do
    # Only toolchains already installed (asking rustc +name may install one).
    rustup toolchain list | grep -q "^$tc-" || continue
    if rustc "+$tc" --version 2>/dev/null | grep -qF "$WASM_NIGHTLY_RUSTC"; then
      WASM_TOOLCHAIN="$tc"
      break
    fi
  done
  if [ -z "$WASM_TOOLCHAIN" ]; then
    say "installing the $WASM_NIGHTLY_DATED toolchain for the WebAssembly build (once)"
    if rustup toolchain install "$WASM_NIGHTLY_DATED" --profile minimal --component rust-src >&2; then
      WASM_TOOLCHAIN="$WASM_NIGHTLY_DATED"
    else
      say "WARNING: no $WASM_NIGHTLY_DATED: building the app with stable Rust (works, but the first load is over its budget)"
      return 0
    fi
  fi
  if [ ! -d "$(rustc "+$WASM_TOOLCHAIN" --print sysroot)/lib/rustlib/src/rust/library/std" ]; then
    say "adding rust-src to $WASM_TOOLCHAIN (for -Z build-std)"
    if ! rustup component add rust-src --toolchain "$WASM_TOOLCHAIN" >&2; then
      say "WARNING: no rust-src for $WASM_TOOLCHAIN: building the app with stable Rust (works, but the first load is over its budget)"
      WASM_TOOLCHAIN=""
    fi
  fi
}

ensure_chromium() {
  if [ ! -x /usr/bin/chromium ]; then
    say "installing Debian's Chromium"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  fi
  if [ ! -d end2end/node_modules/@playwright/test ] || [ ! -d end2end/node_modules/@axe-core/playwright ]; then
    say "installing Playwright (no browser download)"
    (cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
  fi
}

# Real peers for the contract and delivery tests: a standard Salesforce
# client library, an SMTP server and schemathesis, from PyPI, in a venv under
# target/; Pillow makes and reads the photo tests' 12 MP JPEG.
ensure_python_deps() {
  local venv="$ROOT/target/py"
  if ! "$venv/bin/python" -c 'import simple_salesforce, aiosmtpd, schemathesis, PIL' 2>/dev/null; then
    say "installing the Python test peers (simple-salesforce, aiosmtpd, schemathesis, pillow)"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check -r requirements-test.txt
  fi
  export DEMO_ORG_PYTHON="$venv/bin/python" FIELDCASE_PYTHON="$venv/bin/python"
  export FIELDCASE_REQUIRE_PYTHON_TESTS=1
}

# Run a build command: its last lines when it works, all of its output when
# it fails. The failure is returned, not left to `set -e`, which does not
# apply inside an `if` (where scripts/test calls the builds).
quietly() {
  local out
  if ! out="$("$@" 2>&1)"; then
    printf '%s\n' "$out" >&2
    return 1
  fi
  printf '%s\n' "$out" | grep -vE '^\s*$' | tail -n 3
}

# Trunk builds the app, and its post_build hook (scripts/post-build.sh) the
# review engine beside it and minifies the JS glue: see Trunk.toml.
build_app() {
  say "building the app (Trunk, release${WASM_TOOLCHAIN:+, $WASM_TOOLCHAIN with build-std})"
  # Offline: Trunk must never fetch a tool; cargo gets its crates first.
  cargo fetch --locked >/dev/null
  local nightly=()
  if [ -n "$WASM_TOOLCHAIN" ]; then
    # std's own dependencies too (std has its own lock file, in rust-src).
    RUSTUP_TOOLCHAIN="$WASM_TOOLCHAIN" CARGO_UNSTABLE_BUILD_STD=std,panic_abort \
      cargo fetch --locked --target wasm32-unknown-unknown >/dev/null
    # optimize_for_size: std's own smaller code paths (formatting, sorting): −0.5 KB.
    nightly=(RUSTUP_TOOLCHAIN="$WASM_TOOLCHAIN" CARGO_UNSTABLE_BUILD_STD=std,panic_abort
             CARGO_UNSTABLE_BUILD_STD_FEATURES=optimize_for_size
             CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="$WASM_RUSTFLAGS")
  fi
  quietly env "${nightly[@]}" CARGO_TARGET_DIR="$WASM_TARGET_DIR" TRUNK_OFFLINE=true \
    trunk build --release --skip-version-check || return 1
  # The app is built once per language (fieldcase-i18n puts the language's
  # words into the code): English is dist/index.html; each other language is
  # built aside, then its index (dist/index.<lang>.html) and the files only
  # it has (its WebAssembly, glue, engine) join dist/ (scripts/languages.mjs).
  local lang
  for lang in es; do
    say "building the app in '$lang'"
    rm -rf "$WASM_TARGET_DIR/dist-$lang"
    quietly env "${nightly[@]}" CARGO_TARGET_DIR="$WASM_TARGET_DIR" TRUNK_OFFLINE=true FIELDCASE_LANG="$lang" \
      trunk build --release --skip-version-check --dist "$WASM_TARGET_DIR/dist-$lang" || return 1
    node "$ROOT/scripts/languages.mjs" "$ROOT/dist" "$WASM_TARGET_DIR/dist-$lang" "$lang" || return 1
  done
  node "$ROOT/scripts/precompress.mjs" "$ROOT/dist"
}

# The dispatcher console (console/): its own bundle in dist-console/, served
# at /console/; nothing of it is in the technician's first load. Stable Rust,
# plain release (size matters less here), its own target dir so it builds
# beside the app without waiting on its lock.
build_console() {
  say "building the console (Trunk, release)"
  cargo fetch --locked >/dev/null
  quietly env CARGO_TARGET_DIR="$ROOT/target/wasm-console" TRUNK_OFFLINE=true \
    trunk build --release --skip-version-check --config console/Trunk.toml || return 1
  node "$ROOT/scripts/precompress.mjs" "$ROOT/dist-console"
}

# Both front ends at once, each in its own target dir: either build is
# single-threaded at times (the app's link-time optimisation into one code
# unit, its second language's relink, each final link), so on two cores the
# pair finishes sooner than one after the other. Each build's
# output is shown whole when it ends, never interleaved.
build_front_ends() {
  local out app console failed=0
  out="$(mktemp -d)"
  build_app >"$out/app" 2>&1 &
  app=$!
  build_console >"$out/console" 2>&1 &
  console=$!
  wait "$app" || failed=1
  cat "$out/app" >&2
  wait "$console" || failed=1
  cat "$out/console" >&2
  rm -rf "$out"
  return "$failed"
}
