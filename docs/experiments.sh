#!/usr/bin/env bash
# Reproduces every figure in docs/experiments.md: CSVs and charts land in docs/results/.
# About 6 minutes on 2 cores. Same seed, same numbers.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
dotnet build Simulator -c Release -v quiet -nologo
sim() { name=$1; shift; dotnet run -c Release --no-build --project Simulator -- --out docs/results --name "$name" "$@"; }

# The headline: 20 peers, Dirichlet(0.5) label skew, MLP, 100 rounds of one local epoch; defaults are the defended tangle.
sim clean --peers 20 --rounds 100 --partition dirichlet:0.5 --model mlp --seed 7
# 20% of peers publish random Gaussian weights, against the same split.
sim attack-random --peers 20 --rounds 100 --partition dirichlet:0.5 --model mlp --seed 7 --attackers random:0.2

# Ablations (tangle only) on the same split: from the 2020 prototype's settings to the defaults.
sim paper-2tips --methods tangle --selector cumulative --alpha 0.001 --parents 2 --candidates 2 --reference-top 1 --reference-candidates 1
sim cumulative-2tips --methods tangle --selector cumulative --alpha 0.1 --parents 2 --candidates 2 --reference-top 1 --reference-candidates 1
sim cumulative-2tips-top4 --methods tangle --selector cumulative --alpha 0.1 --parents 2 --candidates 2 --reference-top 4 --reference-candidates 4
sim cumulative-4tips-top4 --methods tangle --selector cumulative --alpha 0.1 --parents 4 --candidates 4 --reference-top 4 --reference-candidates 4
sim cumulative-defended --methods tangle --selector cumulative --alpha 0.1
sim cumulative-defended-attack --methods tangle --selector cumulative --alpha 0.1 --attackers random:0.2
sim undefended-attack --methods tangle --parents 4 --candidates 4 --reference-top 4 --reference-candidates 4 --attackers random:0.2
