#!/usr/bin/env bash
# Peers as they are in the field, clean and with random weights at 20 %: churn (peers leave and come back), uneven
# speeds, and transactions that reach the others late (stale tips; the tangle only: FedAvg's server waits by design).
# 20 peers, Dirichlet 0.5, MLP, seed 7, 100 rounds, on MNIST and Fashion-MNIST, as the attack matrix (docs/matrix.sh).
# Usage: bash docs/conditions.sh [SIMULATOR OPTIONS...]   (about 15 minutes on 2 cores; prints the mean of the last three
# evaluations). OUT=DIR writes somewhere other than docs/results/conditions.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
out=${OUT:-docs/results/conditions}
options=("$@")
mkdir -p "$out"
dotnet build Simulator -c Release -v quiet -nologo
sim() { dotnet run -c Release --no-build --project Simulator -- --peers 20 --partition dirichlet:0.5 --model mlp --seed 7 \
  --rounds 100 --eval-every 5 --out "$out" "${options[@]}" "$@" > /dev/null; }
for dataset in mnist fashion; do
  data=(); [ "$dataset" = fashion ] && data=(--data /usr/share/datasets/fashion-mnist)
  for attack in none random:0.2; do
    attackers=(); [ "$attack" != none ] && attackers=(--attackers "$attack")
    tag="${dataset}_${attack/:/-}"
    sim "${data[@]}" "${attackers[@]}" --churn 0.1 --methods tangle,fedavg,fedavg:trimmed-mean --name "${tag}_churn-0.1"
    sim "${data[@]}" "${attackers[@]}" --active 0.2-1.0 --methods tangle,fedavg,fedavg:trimmed-mean --name "${tag}_active-0.2-1.0"
    sim "${data[@]}" "${attackers[@]}" --delay 2 --methods tangle --name "${tag}_delay-2"
  done
done
# The mean of each method's last three evaluations (rounds 90, 95, 100), as in the matrix.
for csv in "$out"/*.csv; do
  awk -F, -v run="$(basename "$csv" .csv)" 'NR > 1 { n[$2]++; a[$2, n[$2]] = $3 }
    END { for (m in n) printf "%-36s %-22s %.1f %%\n", run, m, 100 * (a[m, n[m]] + a[m, n[m] - 1] + a[m, n[m] - 2]) / 3 }' "$csv"
done | sort
