#!/usr/bin/env bash
# HPC post-processing in two commands: finished runs -> ASE database -> limiting potentials + figure.
# Submit as a short job on the cluster after the DFT runs finish (or run on a login node):
#
#   sbatch --time=00:30:00 --cpus-per-task=8 workflows/collect_and_fed.sh RUNS_DIR [NETWORK]
#
# Layout expected in RUNS_DIR (chefe's folder convention, no configuration):
#   <catalyst>/slab/, <catalyst>/<ADSORBATE>/ (+ /vib for frequencies), gas/<MOLECULE>/ (+ /vib)
set -euo pipefail
runs=${1:?usage: collect_and_fed.sh RUNS_DIR [NETWORK]}
network=${2:-no3rr_sac}
workers=${SLURM_CPUS_PER_TASK:-$(nproc)}
chefe collect "$runs" --db results.db --workers "$workers" --json collect_report.json
chefe fed --db results.db --network "$network" --imaginary drop --low-frequency raise \
    -o fed.pdf -o fed.png --json fed.json --csv fed.csv
chefe export --db results.db --catmap energies.txt --csv runs.csv
