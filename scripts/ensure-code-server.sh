#!/usr/bin/env bash
# Makes sure code-server 4.100.3 (a full VS Code 1.100.3: server + web workbench)
# is installed for the VS Code end-to-end tests (test/vscode/), without reaching
# anything but the npm registry and Debian's packages. The recipe is the one in
# shared/VSCODE-OFFLINE.md.
#
# The install lives outside the repository, in
#   ${PROCVIEW_CACHE:-$HOME/.cache/procview}/code-server-4.100.3
# and ends by writing a marker file there; with the marker present a call returns
# at once. A folder without the marker (an install cut short) is removed and
# installed anew. Calls at the same time wait for each other (flock).
#
# Prints the code-server entry point (bin/code-server) on stdout as its last
# line; progress goes to stderr. Needs root, or sudo, only when apt packages are
# missing. Takes about four minutes on a fresh machine.
set -euo pipefail

version=4.100.3
cache_root="${PROCVIEW_CACHE:-$HOME/.cache/procview}"
dir="$cache_root/code-server-$version"
marker="$dir/.procview-install-complete"
vscode="$dir/node_modules/code-server/lib/vscode"
entry="$dir/node_modules/code-server/out/node/entry.js"

say() { echo "ensure-code-server: $*" >&2; }

if [ -f "$marker" ] && [ -f "$entry" ]; then
  echo "$dir/node_modules/.bin/code-server"
  exit 0
fi

mkdir -p "$cache_root"
exec 9>"$cache_root/code-server-$version.lock"
if ! flock -n 9; then
  say "another install is under way; waiting for it"
  flock 9
fi
# The other install may have finished it meanwhile.
if [ -f "$marker" ] && [ -f "$entry" ]; then
  echo "$dir/node_modules/.bin/code-server"
  exit 0
fi

started=$SECONDS

node_major="$(node -p 'process.versions.node.split(".")[0]')"
if [ "$node_major" != 20 ]; then
  say "warning: code-server $version is made for Node 20; this is Node $node_major"
fi
step() { say "[$((SECONDS - started))s] $*"; }

# --- 1. Debian packages: headers for the native modules, ripgrep, chromium. ---
apt_packages=(libkrb5-dev libxkbfile-dev libsecret-1-dev libx11-dev pkg-config ripgrep chromium
  # node-gyp builds the native modules: a compiler, make and Python.
  g++ make python3)
missing=()
for package in "${apt_packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed'; then
    # python3 may come from elsewhere (pyenv); any python3 on PATH will do.
    if [ "$package" = python3 ] && command -v python3 >/dev/null 2>&1; then continue; fi
    missing+=("$package")
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    as_root=()
  elif command -v sudo >/dev/null 2>&1; then
    as_root=(sudo)
  else
    say "apt packages missing (${missing[*]}), and installing them needs root or sudo"
    exit 1
  fi
  step "apt-get install ${missing[*]}"
  "${as_root[@]}" apt-get update -q >&2
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
else
  step "apt packages already installed"
fi
rg_path="$(command -v rg)"

# node-gyp must not download Node's headers (no network but the registries):
# point it at the ones installed beside node, unless npm already knows where.
node_prefix="$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")"
nodedir="${npm_config_nodedir:-$(npm config get nodedir)}"
if { [ -z "$nodedir" ] || [ "$nodedir" = undefined ] || [ "$nodedir" = null ]; } &&
  [ -f "$node_prefix/include/node/node.h" ]; then
  export npm_config_nodedir="$node_prefix"
fi

# Scripts are run only where the recipe asks for them (npm rebuild) and are
# allowed there without a prompt.
export npm_config_yes=true npm_config_audit=false npm_config_fund=false \
  npm_config_update_notifier=false npm_config_loglevel=warn

# --- 2. code-server itself, from a clean folder. ---
if [ -e "$dir" ]; then
  step "removing an unfinished install in $dir"
  rm -rf "$dir"
fi
mkdir -p "$dir"
cd "$dir"
echo '{ "name": "procview-code-server-cache", "private": true }' >package.json

step "npm install --ignore-scripts code-server@$version"
npm install --ignore-scripts "code-server@$version" >&2

step "npm rebuild argon2"
npm rebuild argon2 >&2

# --- 3. VS Code's own node modules, with Debian's ripgrep. ---
cd "$vscode"
step "lib/vscode: npm install --omit=dev --ignore-scripts"
npm install --omit=dev --ignore-scripts >&2

step "lib/vscode: ripgrep from Debian ($rg_path)"
mkdir -p node_modules/@vscode/ripgrep/bin
cp "$rg_path" node_modules/@vscode/ripgrep/bin/rg

step "lib/vscode: npm rebuild (native modules)"
npm rebuild >&2
ln -sfn node_modules node_modules.asar
# What code-server's own postinstall.sh (skipped with the scripts) also links:
# the `code` command of the integrated terminal and the browser helper.
ln -sfn code-linux.sh bin/remote-cli/code-server
ln -sfn browser-linux.sh bin/helpers/browser.sh

# --- 4. The built-in extensions' dependencies. ---
cd "$vscode/extensions"
step "lib/vscode/extensions: npm install --omit=dev"
npm install --omit=dev >&2

# --- 5. Proof that it runs, then the marker. ---
step "checking: code-server --version"
# (--config: code-server writes a default config file there when it has none.)
"$dir/node_modules/.bin/code-server" --config "$dir/config.yaml" --version >&2

date -u +%Y-%m-%dT%H:%M:%SZ >"$marker"
step "done: code-server $version in $dir"
echo "$dir/node_modules/.bin/code-server"
