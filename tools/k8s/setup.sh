#!/usr/bin/env bash
# Installs the offline manifest validator's packages (kubernetes-models 5.1.0, yaml 2.9.1) into tools/k8s/node_modules
# from package-lock.json. Idempotent: quick and silent when the install matches the lockfile (about 12 s otherwise).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")"

command -v npm >/dev/null 2>&1 || { echo "tools/k8s/setup.sh: npm is not on the PATH (Node.js 20+ is needed)" >&2; exit 1; }
stamp=node_modules/.mlaspire-lock.sha256
lock_hash=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -d node_modules/kubernetes-models ] || [ "$(cat "$stamp" 2>/dev/null)" != "$lock_hash" ]; then
  echo "tools/k8s: npm ci (kubernetes-models 5.1.0, yaml 2.9.1)..."
  npm ci --no-audit --no-fund --ignore-scripts --loglevel=error >/dev/null
  echo "$lock_hash" > "$stamp"
fi
