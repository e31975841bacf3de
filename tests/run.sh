#!/usr/bin/env bash
# The single test command for the repository: builds MlAspire.sln in Release, runs every test project,
# prints each failing test, and ends with one line "N passed, N failed, N skipped" summed over all
# test projects. Exits non-zero when the build fails, a test fails, or a test run aborts.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

export DOTNET_CLI_TELEMETRY_OPTOUT=1
export DOTNET_NOLOGO=1
export DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

# ---------------------------------------------------------------------------------------------
# HOOKS: external tools some tests need, installed here when missing (see shared notes).
# Each hook must be idempotent and quick when the tool is already present.
# ---------------------------------------------------------------------------------------------
ensure_js_ipfs() {
  # The pinned js-ipfs 0.66.1 node for the IPFS integration tests (npm ci from the lockfile, then a patch).
  bash tools/ipfs/setup.sh
}
ensure_prometheus() {
  # Debian's Prometheus and promtool for tests/Monitoring.Tests (about 12 s). Nothing is started here: the tests run
  # their own Prometheus on a temporary config and storage.
  if [ ! -x /usr/bin/prometheus ] || [ ! -x /usr/bin/promtool ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends prometheus \
      || { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends prometheus; }
  fi
}
ensure_chromium() {
  # Debian's Chromium for the Visualization browser tests: Playwright drives /usr/bin/chromium, never a downloaded browser.
  if [ ! -x /usr/bin/chromium ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium
  fi
}
ensure_k8s_tools() {
  # tests/Deploy.Tests: `kubectl kustomize` and the offline schema validator (promtool comes from ensure_prometheus).
  if ! command -v kubectl >/dev/null 2>&1; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends kubernetes-client
  fi
  bash tools/k8s/setup.sh
}
ensure_strace() {
  # tests/Integration.Tests/Hostile: the journal crash test runs a peer under strace to SIGKILL it at an exact system call.
  if ! command -v strace >/dev/null 2>&1; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends strace
  fi
}
ensure_iproute2() {
  # tests/Integration.Tests/PartitionTests: peers in network namespaces (ip netns, veth, a bridge), cut by blackhole routes.
  if ! command -v ip >/dev/null 2>&1; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends iproute2
  fi
}
ensure_clang() {
  # The native linker for tools/native/publish.sh (which installs it too when run alone): installed among the hooks, so
  # that the publish after the build waits on no download.
  if ! command -v clang >/dev/null 2>&1; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends clang
  fi
}
ensure_fashion_mnist() {
  # Debian's Fashion-MNIST (31 MB of IDX files in /usr/share/datasets/fashion-mnist) for the dataset tests; the
  # simulator's `--data fashion-mnist` reads it there. Never downloaded at run time.
  if [ ! -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends dataset-fashion-mnist
  fi
}
ensure_openssl() {
  # deploy/tls/grpc-certs.sh (openssl) makes the CA and certificates of the TLS tests, as it does for operators.
  if ! command -v openssl >/dev/null 2>&1; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends openssl
  fi
}
# ------------------------------------- end of HOOKS ------------------------------------------

results_dir="TestResults"
rm -rf "$results_dir"
mkdir -p "$results_dir"
log="$results_dir/dotnet-test.log"

# The build needs none of the hooks' tools, and they mostly wait on downloads and dpkg: the two overlap (a fresh CI
# machine spends about 2 minutes on each). The build's output is shown once it ends.
stage() { echo "[run.sh $(date -u +%T), ${SECONDS} s] $*"; }
stage "build (in the background) and tools"
build_log="$results_dir/build.log"
dotnet build MlAspire.sln -c Release > "$build_log" 2>&1 &
build_pid=$!
ensure_js_ipfs
ensure_fashion_mnist
ensure_strace
ensure_iproute2
ensure_openssl
ensure_prometheus
ensure_chromium
ensure_k8s_tools
ensure_clang
stage "tools ready; waiting for the build"
build_rc=0
wait "$build_pid" || build_rc=$?
cat "$build_log"
[ "$build_rc" -eq 0 ] || { echo "dotnet build failed (exit $build_rc)" >&2; exit 1; }
# The peer's native program (Native AOT, linked by the hooks' clang) for the tests that run it beside `dotnet Peer.dll`
# (EmbeddedNetworkTests, AppModelTests). About two minutes on a slow machine.
stage "native peer"
bash tools/native/publish.sh
stage "tests"

# The console logger at minimal verbosity prints every failing test with its message and stack
# trace, and one summary line per test project, which is parsed below. TRX files are kept in
# TestResults/ for CI artifacts. A hung test run is killed (and reported) after 15 minutes.
set +e
# One test project at a time: the integration tests run real processes and IPFS nodes, and 2 cores are all CI has.
dotnet test MlAspire.sln -c Release --no-build -m:1 \
  --logger "console;verbosity=minimal" \
  --logger "trx" \
  --results-directory "$results_dir" \
  --blame-hang-timeout 15m --blame-hang-dump-type none \
  2>&1 | tee "$log"
test_rc=${PIPESTATUS[0]}
set -e

# Summary lines look like:
#   Passed!  - Failed:     0, Passed:    12, Skipped:     1, Total:    13, Duration: 2 s - X.Tests.dll (net10.0)
#   Failed!  - Failed:     1, Passed:    11, Skipped:     1, Total:    13, Duration: 2 s - X.Tests.dll (net10.0)
read -r passed failed skipped projects < <(
  sed -E 's/\x1b\[[0-9;]*[A-Za-z]//g' "$log" |
    grep -E '^[[:space:]]*(Passed|Failed|Skipped)![[:space:]]+-[[:space:]]+Failed:' |
    sed -E 's/.*Failed:[[:space:]]*([0-9]+),[[:space:]]*Passed:[[:space:]]*([0-9]+),[[:space:]]*Skipped:[[:space:]]*([0-9]+),.*/\2 \1 \3/' |
    awk '{ p += $1; f += $2; s += $3; n++ } END { printf "%d %d %d %d\n", p, f, s, n }'
)

# A test host that crashes or hangs prints "Test Run Aborted." and no summary line: count each such
# run as one failed test so that the last line never looks green.
aborted=$(grep -c "Test Run Aborted" "$log" || true)
failed=$((failed + aborted))

echo
if [ "$aborted" -ne 0 ]; then
  echo "$aborted test run(s) aborted (test host crashed or hung); each counts as one failure below" >&2
fi
if [ "$test_rc" -ne 0 ] && [ "$failed" -eq 0 ]; then
  echo "dotnet test exited with code $test_rc although no test failed ($projects test project summaries found); see $log" >&2
  failed=1
fi
stage "tests done"
echo "$passed passed, $failed failed, $skipped skipped"

if [ "$failed" -ne 0 ]; then
  exit 1
fi
