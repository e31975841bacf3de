#!/usr/bin/env bash
# What `dotnet run --project AppHost` costs per peer, as a new user runs it: starts the AppHost with the given arguments
# (default: --peers 16 --ipfs embedded, in a new state folder), waits WARMUP seconds, then samples every process of the Peer project for
# MEASURE seconds from /proc: the services themselves and any launcher (`dotnet run --project …/Peer.csproj`) in front
# of them. Prints, per kind, the process count, mean and largest RSS, and the cores they used over the window.
#   bash tools/bench/apphost-footprint.sh [--warmup SECONDS] [--measure SECONDS] [-- APPHOST ARGS]
set -euo pipefail
cd "$(dirname "$0")/../.."
warmup=180 measure=120
while [[ $# -gt 0 ]]; do
  case "$1" in
    --warmup) warmup=$2; shift 2 ;;
    --measure) measure=$2; shift 2 ;;
    --) shift; break ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
apphost_args=("$@")
[[ ${#apphost_args[@]} -gt 0 ]] || apphost_args=(--peers 16 --ipfs embedded --state "$(mktemp -d)")

log=$(mktemp)
setsid dotnet run --project AppHost -- "${apphost_args[@]}" > "$log" 2>&1 &
apphost=$!
stop() { kill -TERM -- "-$apphost" 2>/dev/null || true; wait "$apphost" 2>/dev/null || true; }
trap stop EXIT

# Every process of the Peer project: "launcher" when it is `dotnet run` in front of the service, else "service".
peer_processes() {
  for dir in /proc/[0-9]*; do
    cmd=$(tr '\0' ' ' < "$dir/cmdline" 2>/dev/null) || continue
    case "$cmd" in
      *"run --project "*Peer/Peer.csproj*) echo "${dir#/proc/} launcher" ;;
      *Peer/bin/*/Peer\ *|*Peer/bin/*/Peer|*Peer/bin/*/Peer.dll*) echo "${dir#/proc/} service" ;;
    esac
  done
}
# The peers' received counts summed, from each one's status page (listed by the Bootstrap's /sd/peers, port 5100).
received() {
  local total=0 n
  for target in $(curl -s --max-time 30 http://localhost:5100/sd/peers | grep -o '"[^"]*:[0-9]*"' | tr -d '"'); do
    n=$(curl -s --max-time 30 "http://$target/" | grep -o '"received":[0-9]*' | cut -d: -f2) || true
    total=$((total + ${n:-0}))
  done
  echo "$total"
}
ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
rss_mb() { awk '/^VmRSS/ {printf "%.0f", $2 / 1024}' "/proc/$1/status" 2>/dev/null || echo 0; }

echo "AppHost: dotnet run --project AppHost -- ${apphost_args[*]} (log: $log); warm-up ${warmup} s, then ${measure} s measured"
sleep "$warmup"
declare -A kind start
while read -r pid k; do kind[$pid]=$k; start[$pid]=$(ticks "$pid"); done < <(peer_processes)
[[ ${#kind[@]} -gt 0 ]] || { echo "no Peer process is running; the AppHost's log:"; tail -20 "$log"; exit 1; }
received_before=$(received)
sleep "$measure"
received_after=$(received)
hz=$(getconf CLK_TCK)
all=0
for k in service launcher; do
  n=0 rss=0 largest=0 used=0
  for pid in "${!kind[@]}"; do
    [[ ${kind[$pid]} == "$k" && -d /proc/$pid ]] || continue
    r=$(rss_mb "$pid"); t=$(ticks "$pid")
    n=$((n + 1)); rss=$((rss + r)); (( r > largest )) && largest=$r
    used=$((used + t - ${start[$pid]})); all=$((all + t - ${start[$pid]}))
  done
  [[ $n -gt 0 ]] || { echo "$k: none"; continue; }
  awk -v k="$k" -v n="$n" -v rss="$rss" -v largest="$largest" -v used="$used" -v hz="$hz" -v s="$measure" \
    'BEGIN { printf "%s: %d processes, mean RSS %.0f MB (largest %d), %.2f cores in all (%.1f %% each)\n", k, n, rss / n, largest, used / hz / s, 100 * used / hz / s / n }'
done
got=$((received_after - received_before))
awk -v got="$got" -v all="$all" -v hz="$hz" 'BEGIN { printf "received by all peers in the window: %d; CPU per received transaction, launchers included: %s\n", got, (got > 0 ? sprintf("%.1f ms", 1000 * all / hz / got) : "n/a") }'
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
