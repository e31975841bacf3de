#!/usr/bin/env bash
# Starts one offline js-ipfs node bound to loopback, and becomes it (exec): killing this pid stops the node.
# IPFS_HOST, when set, is the IPv4 address the API and swarm bind instead (a test's network namespace).
#   start-node.sh REPO_DIR API_PORT SWARM_PORT [STORAGE_MAX]
# The repo is initialised on first use; its network config is rewritten on every start so ports can change.
# STORAGE_MAX (default 10GB, as Kubo) is what repo/stat reports as StorageMax. Prints "Daemon is ready" when
# the RPC API is up. Run tools/ipfs/setup.sh first.
# IPFS_SWARM_KEY_HEX (64 hex characters), when set, makes the node private: it is written to REPO_DIR/swarm.key
# (mode 600) on every start, and the node then only connects to nodes with the same key (setup.sh's swarm-key
# patch). Unset, any swarm.key is removed and the node is on the public network.
set -euo pipefail

if [ $# -lt 3 ] || [ $# -gt 4 ]; then
  echo "usage: $0 REPO_DIR API_PORT SWARM_PORT [STORAGE_MAX]" >&2
  exit 2
fi
for port in "$2" "$3"; do
  if ! [[ "$port" =~ ^[0-9]+$ ]] || [ "$port" -lt 1 ] || [ "$port" -gt 65535 ]; then
    echo "start-node.sh: '$port' is not a TCP port" >&2
    exit 2
  fi
done

if [ -n "${IPFS_SWARM_KEY_HEX:-}" ] && ! [[ "$IPFS_SWARM_KEY_HEX" =~ ^[0-9a-fA-F]{64}$ ]]; then
  echo "start-node.sh: IPFS_SWARM_KEY_HEX must be 64 hex characters (32 bytes), e.g. from \`openssl rand -hex 32\`" >&2
  exit 2
fi

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
jsipfs="$here/node_modules/.bin/jsipfs"
if [ ! -x "$jsipfs" ]; then
  echo "start-node.sh: $jsipfs is missing: run tools/ipfs/setup.sh first" >&2
  exit 1
fi

mkdir -p "$1"
IPFS_PATH=$(cd "$1" && pwd)
export IPFS_PATH
if [ ! -f "$IPFS_PATH/config" ]; then
  "$jsipfs" init --profile test >/dev/null
fi

# Offline and loopback only: no gateway, no gRPC (an empty RPC list crashes js-ipfs, "" disables it),
# no bootstrap, discovery, delegates or DHT.
node - "$IPFS_PATH/config" "$2" "$3" "${4:-10GB}" "${IPFS_HOST:-127.0.0.1}" <<'JS'
const fs = require('fs')
const [configPath, apiPort, swarmPort, storageMax, host] = process.argv.slice(2)
const config = JSON.parse(fs.readFileSync(configPath, 'utf8'))
config.Addresses = {
  ...config.Addresses,
  API: `/ip4/${host}/tcp/${apiPort}`,
  Swarm: [`/ip4/${host}/tcp/${swarmPort}`],
  Announce: [],
  NoAnnounce: [],
  Gateway: [],
  RPC: '',
  Delegates: []
}
config.Bootstrap = []
config.Discovery = { MDNS: { Enabled: false, Interval: 10 }, webRTCStar: { Enabled: false } }
config.Routing = { Type: 'none' }
config.Datastore = { ...config.Datastore, StorageMax: storageMax }
fs.writeFileSync(configPath, JSON.stringify(config, null, 2))
JS

if [ -n "${IPFS_SWARM_KEY_HEX:-}" ]; then
  (umask 077 && printf '/key/swarm/psk/1.0.0/\n/base16/\n%s\n' "${IPFS_SWARM_KEY_HEX,,}" > "$IPFS_PATH/swarm.key.tmp")
  mv "$IPFS_PATH/swarm.key.tmp" "$IPFS_PATH/swarm.key"
  # As for Kubo: refuse to start on the public network should the key go missing.
  export LIBP2P_FORCE_PNET=1
else
  rm -f "$IPFS_PATH/swarm.key"
fi
unset IPFS_SWARM_KEY_HEX # the node reads the file; its children need not see the key

# IPFS_MONITORING serves Prometheus metrics at GET /debug/metrics/prometheus on the API port.
# No preload: js-ipfs would otherwise announce every CID it stores to the public preload nodes over HTTPS.
export IPFS_MONITORING=1
exec "$jsipfs" daemon --enable-preload=false
