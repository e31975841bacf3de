#!/bin/sh
# Configures an ipfs/kubo container for MlAspire. The image's entrypoint (start_ipfs) runs every
# /container-init.d/*.sh after `ipfs init` and before `ipfs daemon`, on every start, so this must be idempotent.
# Variables (set by the AppHost): IPFS_STORAGE_MAX, IPFS_CONNMGR_LOW, IPFS_CONNMGR_HIGH.
# The entrypoint may source this file rather than run it: no `exit`, no `set -u` (it would leak into start_ipfs).
set -e

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
