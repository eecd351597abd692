#!/usr/bin/env bash
# Prepares a fresh Debian machine (no internet, only the Debian/npm/PyPI registries) for the extension
# build and the real-VS-Code end-to-end test. Idempotent: a second run does no work.
# Remedies come from shared/notes/real-vscode-e2e.md; each is explained where it is applied.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# 1. Debian packages: chromium drives the test; ripgrep feeds the cache trick below; the build packages
#    compile code-server's native modules (kerberos needs gssapi.h from libkrb5-dev, keytar libsecret).
APT_PACKAGES=(chromium ripgrep build-essential pkg-config libkrb5-dev libsecret-1-dev)
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  echo "e2e-setup: apt-get install ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
else
  echo "e2e-setup: apt packages present"
fi

# 2. @vscode/ripgrep (pulled in by code-server's own postinstall) downloads rg from GitHub, which is
#    unreachable here; its postinstall first looks in this cache folder, so a tarball of Debian's rg
#    satisfies it. The versions are those code-server 4.100.3 depends on (it is pinned exactly).
RG_PKG_VERSION="1.15.11"
RG_RELEASE="v13.0.0-10"
case "$(uname -m)" in
  x86_64) RG_TARGET="x86_64-unknown-linux-musl" ;;
  aarch64 | arm64) RG_TARGET="aarch64-unknown-linux-musl" ;;
  *) echo "e2e-setup: unsupported machine $(uname -m) for the ripgrep cache" >&2; exit 1 ;;
esac
RG_CACHE="${TMPDIR:-/tmp}/vscode-ripgrep-cache-${RG_PKG_VERSION}"
RG_TARBALL="${RG_CACHE}/ripgrep-${RG_RELEASE}-${RG_TARGET}.tar.gz"
if [ ! -s "$RG_TARBALL" ]; then
  mkdir -p "$RG_CACHE"
  tar -czf "$RG_TARBALL.tmp" -C "$(dirname "$(command -v rg)")" rg
  mv "$RG_TARBALL.tmp" "$RG_TARBALL"
  echo "e2e-setup: ripgrep cache $RG_TARBALL"
fi

# 3. Two npm packages, each installed with `npm ci` only when node_modules no longer matches its lock.
#    The root (the extension's build: esbuild, typescript, vsce) is a plain `npm ci`, as a user building the
#    .vsix runs it. tests/e2e (code-server, playwright-core) needs the remedies:
#    unsafe_perm: as root, code-server's postinstall refuses to run without it.
#    yes: node-pty's postinstall runs `npx node-gyp`, which is refused when npm's `yes` is false.
#    PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: the test uses Debian's chromium, never a downloaded one.
npm_ci() { # folder, marker file that must exist afterwards, extra env...
  local dir="$1" marker="$2"
  shift 2
  local stamp="$dir/node_modules/.e2e-setup.sha256" sum
  sum="$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$sum" ] && [ -e "$dir/$marker" ]; then
    echo "e2e-setup: $dir/node_modules up to date"
  else
    echo "e2e-setup: npm ci in $dir"
    (cd "$dir" && env "$@" npm ci --no-audit --no-fund)
    echo "$sum" >"$stamp"
  fi
}
npm_ci . node_modules/.bin/vsce
npm_ci tests/e2e node_modules/.bin/code-server \
  npm_config_unsafe_perm=true npm_config_yes=true PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
