#!/usr/bin/env bash
# Installs the pinned js-ipfs node (npm package `ipfs` 0.66.1) into tools/ipfs/node_modules and patches it.
# Idempotent: quick and silent when the install matches package-lock.json and the patch is applied.
#
# Why js-ipfs: Kubo cannot be installed on these machines (see shared notes/ipfs.md). It serves the Kubo RPC
# API, but only runs on Node 20 with the npm overrides in package.json. Two patches make it behave like Kubo:
# its gossipsub refuses to publish to a topic with no subscribers (Kubo accepts), hence `allowPublishToZeroPeers`;
# and it ignores $IPFS_PATH/swarm.key (Kubo's private networks), hence the swarm-key.mjs patch.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")"

# node_modules is stale when it was installed from another lockfile than the committed one.
stamp=node_modules/.mlaspire-lock.sha256
lock_hash=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -x node_modules/.bin/jsipfs ] || [ "$(cat "$stamp" 2>/dev/null)" != "$lock_hash" ]; then
  echo "tools/ipfs: npm ci (js-ipfs 0.66.1)..."
  npm ci --no-audit --no-fund --ignore-scripts --loglevel=error >/dev/null
  echo "$lock_hash" > "$stamp"
fi

routers=node_modules/ipfs-core-config/src/libp2p-pubsub-routers.js
anchor='fallbackToFloodsub: true,'
if ! grep -q 'allowPublishToZeroPeers: true' "$routers"; then
  if ! grep -q "$anchor" "$routers"; then
    echo "tools/ipfs/setup.sh: cannot patch $routers: anchor '$anchor' not found" >&2
    exit 1
  fi
  sed -i "s/$anchor/$anchor\n    allowPublishToZeroPeers: true,/" "$routers"
  grep -q 'allowPublishToZeroPeers: true' "$routers" || { echo "tools/ipfs/setup.sh: patching $routers failed" >&2; exit 1; }
fi

# Private networks: libp2p 0.42 has the pre-shared key protector (libp2p/pnet) but js-ipfs never configures it.
# swarm-key.mjs reads $IPFS_PATH/swarm.key; ipfs-core's libp2p options get its protector.
components=node_modules/ipfs-core/src/components
cmp -s swarm-key.mjs "$components/mlaspire-swarm-key.mjs" || cp swarm-key.mjs "$components/mlaspire-swarm-key.mjs"
libp2p="$components/libp2p.js"
insert_line() { # FILE before|after ANCHOR LINE: adds LINE next to the line ANCHOR, once; ANCHOR must be there exactly once
  if ! grep -qxF "$4" "$1"; then
    if [ "$(grep -cxF "$3" "$1")" != 1 ]; then
      echo "tools/ipfs/setup.sh: cannot patch $1: anchor '$3' not found exactly once" >&2
      exit 1
    fi
    WHERE="$2" ANCHOR="$3" LINE="$4" awk '
      $0 == ENVIRON["ANCHOR"] && ENVIRON["WHERE"] == "before" { print ENVIRON["LINE"] }
      { print }
      $0 == ENVIRON["ANCHOR"] && ENVIRON["WHERE"] == "after" { print ENVIRON["LINE"] }' "$1" > "$1.tmp"
    cat "$1.tmp" > "$1" # in place, so the file keeps its mode (cli.js is the jsipfs executable)
    rm "$1.tmp"
    grep -qxF "$4" "$1" || { echo "tools/ipfs/setup.sh: patching $1 failed" >&2; exit 1; }
  fi
}
insert_line "$libp2p" after "import { noise } from '@chainsafe/libp2p-noise'" "import { swarmKeyProtector } from './mlaspire-swarm-key.mjs'"
insert_line "$libp2p" before "  if (typeof options.libp2p === 'function') {" "  libp2pOptions.connectionProtector = swarmKeyProtector(repo.path)"
# A daemon that fails to start (a malformed swarm.key, a locked repo) prints why but exits 0: make it exit 1.
insert_line node_modules/ipfs/src/cli.js before "  if (command[0] === 'daemon') {" "  if (exitCode !== 0) process.exit(exitCode)"
