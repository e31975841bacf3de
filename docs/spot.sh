#!/usr/bin/env bash
# A quick check of a learning change before the full attack matrix: the tangle alone in 14 settings taken from the
# matrix (docs/matrix.sh) and the field conditions (docs/conditions.sh), where defaults have moved before. 20 peers,
# Dirichlet 0.5, MLP, seed 7, 100 rounds; two runs at a time. Prints the mean of the last three evaluations per setting.
# Usage: bash docs/spot.sh OUT [SIMULATOR OPTIONS...]   e.g. bash docs/spot.sh out/spot-ref8 --reference-samples 8
# 5 to 10 minutes on 2 cores (the Sybil and churn runs are the slow ones). Compare two OUT folders with: paste OUT1/summary.txt OUT2/summary.txt
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
out=${1:?usage: bash docs/spot.sh OUT [SIMULATOR OPTIONS...]}
shift
mkdir -p "$out"
dotnet build Simulator -c Release -v quiet -nologo > /dev/null
fashion=(--data /usr/share/datasets/fashion-mnist)
run() {
  local name=$1; shift
  dotnet run -c Release --no-build --project Simulator -- --peers 20 --partition dirichlet:0.5 --model mlp --seed 7 \
    --rounds 100 --eval-every 5 --methods tangle --out "$out" --name "$name" "$@" > "$out/$name.log" 2>&1
}
pair() { run "${first[@]}" & run "${second[@]}"; wait; }
first=(m_clean "$@"); second=(f_clean "${fashion[@]}" "$@"); pair
first=(m_churn --attackers random:0.2 --churn 0.1 "$@"); second=(f_churn "${fashion[@]}" --attackers random:0.2 --churn 0.1 "$@"); pair
first=(m_active --attackers random:0.2 --active 0.2-1.0 "$@"); second=(f_active "${fashion[@]}" --attackers random:0.2 --active 0.2-1.0 "$@"); pair
first=(m_rand40 --attackers random:0.4 "$@"); second=(f_rand40 "${fashion[@]}" --attackers random:0.4 "$@"); pair
first=(m_sign20 --attackers sign-flip:0.2 "$@"); second=(f_sign20 "${fashion[@]}" --attackers sign-flip:0.2 "$@"); pair
first=(f_free20 "${fashion[@]}" --attackers free-rider:0.2 "$@"); second=(f_sybil40 "${fashion[@]}" --attackers sybil:0.4 "$@"); pair
first=(f_rand30 "${fashion[@]}" --attackers random:0.3 "$@"); second=(f_scale40 "${fashion[@]}" --attackers scale:0.4 "$@"); pair
for csv in "$out"/*.csv; do
  awk -F, -v run="$(basename "$csv" .csv)" '$2 == "tangle" { n++; a[n] = $3 } END { printf "%-10s %.2f %%\n", run, 100 * (a[n] + a[n-1] + a[n-2]) / 3 }' "$csv"
done | tee "$out/summary.txt"
