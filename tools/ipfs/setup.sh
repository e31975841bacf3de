#!/usr/bin/env bash
# Installs the pinned js-ipfs node (npm package `ipfs` 0.66.1) into tools/ipfs/node_modules and patches it.
# Idempotent: quick and silent when the install matches package-lock.json and the patch is applied.
#
# Why js-ipfs: Kubo cannot be installed on these machines (see shared notes/ipfs.md). It serves the Kubo RPC
# API, but only runs on Node 20 with the npm overrides in package.json, and its gossipsub refuses to publish
# to a topic with no subscribers (Kubo accepts), hence the `allowPublishToZeroPeers` patch below.
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
