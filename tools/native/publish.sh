#!/usr/bin/env bash
# Publishes the Peer as a native program (Native AOT, Release, linux-x64) into the SDK's default publish folder,
# Peer/bin/Release/net10.0/linux-x64/publish/Peer, where the AppHost (which runs this itself when the program is
# missing or stale and clang is there: AppHost/PeerProgram.cs), the soak (`--native-peers true`) and the tests look for
# it; they refuse it once a source of it is newer. Why and what it saves:
# docs/benchmarks.md, "Native peers". Needs clang as the native linker (Debian's `clang`, installed here when missing,
# as root), an x86-64-v3 CPU (AVX2 and FMA, Peer.csproj says why) and about a minute.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."

if ! command -v clang >/dev/null 2>&1; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "clang is missing: install Debian's clang package (apt-get install clang) and run this again." >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends clang
fi

for flag in avx avx2 bmi1 bmi2 f16c fma abm movbe; do  # x86-64-v3, as /proc/cpuinfo names it (LZCNT is abm)
  if ! grep -qw "$flag" /proc/cpuinfo; then
    echo "This CPU has no $flag: the native peer is compiled for x86-64-v3 and would not start here; run \`dotnet Peer.dll\` peers instead." >&2
    exit 1
  fi
done

# One publish at a time: two would share the project's obj folder. The lock is not handed to dotnet (9>&-): its build
# servers outlive it and would hold the lock for minutes.
command -v flock >/dev/null 2>&1 || { echo "flock is missing: install Debian's util-linux package and run this again." >&2; exit 1; }
mkdir -p Peer/obj Peer/bin  # before the start time below: a folder made in Peer/ dates Peer/, a source folder
exec 9>Peer/obj/native-publish.lock
flock -w 600 9 || { echo "Another publish of the native peer has held Peer/obj/native-publish.lock for 10 minutes." >&2; exit 1; }
# The program is as new as the sources it was published from: a publish that relinks nothing (no input changed, but a
# source's time did, e.g. global.json's at a checkout) still leaves it current, and a source edited while this runs
# leaves it stale.
started=$(date +%s.%N)
dotnet publish Peer/Peer.csproj -c Release -r linux-x64 -p:PublishAot=true -nologo -v minimal 9>&-
program=Peer/bin/Release/net10.0/linux-x64/publish/Peer
[ -x "$program" ] || { echo "The publish succeeded but left no program at $program." >&2; exit 1; }
touch -c -d "@$started" "$program"
echo "native peer: $(pwd)/$program"
