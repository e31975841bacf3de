#!/usr/bin/env bash
# The attack matrix of docs/experiments.md: every attack at 10-40 % of 20 peers, on MNIST and Fashion-MNIST, against
# the tangle (undefended and defended), FedAvg and FedAvg with robust aggregators; then the tables and charts.
# Usage: bash docs/matrix.sh [FRACTIONS] [ROUNDS] [SIMULATOR OPTIONS...]   e.g. bash docs/matrix.sh "0.2" 30 --aggregator median
# (defaults: "0.1 0.2 0.3 0.4", 100, none). OUT=DIR writes somewhere other than docs/results/matrix.
# Needs Fashion-MNIST: apt-get install -y dataset-fashion-mnist. About a minute per run on 2 cores; 50 runs, 50 minutes.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
fractions=${1:-"0.1 0.2 0.3 0.4"}
rounds=${2:-100}
shift $(( $# < 2 ? $# : 2 ))
out=${OUT:-docs/results/matrix}
mkdir -p "$out"
dotnet build Simulator -c Release -v quiet -nologo
# Robust FedAvg is told to expect up to 20 % attackers (4 of 20); the tangle's centered clipping trims β 0.2 too (1 of a peer's 8 parents).
methods=tangle-undefended,tangle,fedavg,fedavg:median,fedavg:trimmed-mean,fedavg:multi-krum:4
sim() { dotnet run -c Release --no-build --project Simulator -- --peers 20 --partition dirichlet:0.5 --model mlp --seed 7 \
  --rounds "$rounds" --eval-every 5 --methods "$methods" --out "$out" "${options[@]}" "$@"; }
options=("$@")
for dataset in mnist fashion; do
  data=(); [ "$dataset" = fashion ] && data=(--data /usr/share/datasets/fashion-mnist)
  sim "${data[@]}" --name "${dataset}_none"
  for attack in random flip scale sign-flip free-rider sybil; do
    for fraction in $fractions; do
      sim "${data[@]}" --attackers "$attack:$fraction" --name "${dataset}_${attack}-${fraction}"
    done
  done
done
dotnet run -c Release --no-build --project Simulator -- report "$out"
