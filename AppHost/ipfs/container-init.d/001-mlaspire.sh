#!/bin/sh
# Configures an ipfs/kubo container for MlAspire. The image's entrypoint (start_ipfs) runs every
# /container-init.d/*.sh after `ipfs init` and before `ipfs daemon`, on every start, so this must be idempotent.
# Variables (set by the AppHost): IPFS_SWARM_KEY_HEX (required), IPFS_API_ADDRESS, IPFS_STORAGE_MAX,
# IPFS_CONNMGR_LOW, IPFS_CONNMGR_HIGH. The container also gets LIBP2P_FORCE_PNET=1: Kubo then refuses to start
# without a swarm key.
# The entrypoint may source this file rather than run it: no `set -u` (it would leak into start_ipfs), and `exit`
# only to stop the container.
set -e

# A private network: only nodes holding the same swarm key can connect, every connection is encrypted with it.
# The key is rewritten on every start, so that a changed secret takes effect. Not IPFS_SWARM_KEY: the entrypoint
# takes that one as a whole key file, and only on the first start.
case "$IPFS_SWARM_KEY_HEX" in
  *[!0-9a-fA-F]*) swarm_key_length=0 ;;
  *) swarm_key_length=${#IPFS_SWARM_KEY_HEX} ;;
esac
if [ "$swarm_key_length" -ne 64 ]; then
  echo "001-mlaspire.sh: IPFS_SWARM_KEY_HEX must be 64 hex characters (32 bytes), e.g. from \`openssl rand -hex 32\`" >&2
  exit 1
fi
rm -f "$IPFS_PATH/swarm.key" # the entrypoint writes its own read-only (0400)
(umask 077 && printf '/key/swarm/psk/1.0.0/\n/base16/\n%s\n' "$(printf '%s' "$IPFS_SWARM_KEY_HEX" | tr 'A-F' 'a-f')" > "$IPFS_PATH/swarm.key")

# Nothing reaches the public network: no bootstrap peers, no DHT (Routing.Type none: peers are dialled by address),
# no local discovery, no AutoConf (it fetches public settings, and refuses to run on a private network), no
# AutoTLS, no delegated routers or publishers, no DNS-over-HTTPS resolvers, nothing to announce to a DHT.
ipfs bootstrap rm --all
ipfs config --json AutoConf.Enabled false
ipfs config --json AutoTLS.Enabled false
ipfs config Routing.Type none
ipfs config --json Routing.DelegatedRouters '[]'
ipfs config --json Ipns.DelegatedPublishers '[]'
ipfs config --json DNS.Resolvers '{}'
ipfs config --json Discovery.MDNS.Enabled false
ipfs config --json Provide.Enabled false
# TCP only: QUIC, WebTransport and WebRTC cannot carry a private network (Kubo disables them with a swarm key).
ipfs config --json Addresses.Swarm '["/ip4/0.0.0.0/tcp/4001", "/ip6/::/tcp/4001"]'

# The RPC API controls the node (pins, config, shutdown) and has no authentication: loopback only, where the peer
# shares the network namespace (the K3s pod). A container published by the AppHost overrides it with
# /ip4/0.0.0.0/tcp/5001, which Docker publishes on the host's loopback only. No HTTP gateway.
ipfs config Addresses.API "${IPFS_API_ADDRESS:-/ip4/127.0.0.1/tcp/5001}"
ipfs config --json Addresses.Gateway '[]'

# Pubsub announces new transactions (the equivalent of `ipfs daemon --enable-pubsub-experiment`).
ipfs config --json Pubsub.Enabled true

# Disk cap: the daemon runs with --enable-gc, which collects when the repo nears StorageGCWatermark % of StorageMax.
ipfs config Datastore.StorageMax "${IPFS_STORAGE_MAX:-10GB}"
ipfs config Datastore.GCPeriod 10m

# Connection manager: trim to LowWater when above HighWater.
ipfs config Swarm.ConnMgr.Type basic
ipfs config --json Swarm.ConnMgr.LowWater "${IPFS_CONNMGR_LOW:-40}"
ipfs config --json Swarm.ConnMgr.HighWater "${IPFS_CONNMGR_HIGH:-70}"
ipfs config Swarm.ConnMgr.GracePeriod 20s
