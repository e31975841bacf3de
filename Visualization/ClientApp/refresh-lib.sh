#!/usr/bin/env bash
# Refreshes the vendored front-end libraries in ../wwwroot/lib from the versions pinned in package-lock.json.
# The copies are committed, so building or running the Visualization never needs Node.js or npm.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
npm ci --no-audit --no-fund
lib=../wwwroot/lib
rm -rf "$lib"
mkdir -p "$lib/d3" "$lib/chart.js"
cp node_modules/d3/dist/d3.min.js node_modules/d3/LICENSE "$lib/d3/"
cp node_modules/chart.js/dist/chart.umd.min.js node_modules/chart.js/LICENSE.md "$lib/chart.js/"
echo "Vendored: d3 $(node -p 'require("./node_modules/d3/package.json").version'), chart.js $(node -p 'require("./node_modules/chart.js/package.json").version') -> $lib"
