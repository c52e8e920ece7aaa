#!/usr/bin/env bash
# Many plans in one run: the reference plan copied under PLANS ids (P00, P01, …), the sample's
# AE-STD reps spread over them in turn, run over a `comp sample` ledger of TXNS transactions. Prints
# the wall time and peak memory of each round, and, with COMP_BASE set to another comp binary
# (an earlier build), of that binary in the same rounds, alternating, and whether both wrote the
# same payouts.
#
#   Benchmarks/many-plans.sh [PLANS] [TXNS] [ROUNDS]     (default 20 10000000 3)
#   COMP_BASE=/tmp/old/comp Benchmarks/many-plans.sh 20 10000000 3
set -euo pipefail
cd "$(dirname "$0")/.."
plans=${1:-20}
txns=${2:-10000000}
rounds=${3:-3}
source=${TMPDIR:-/tmp}/comp-e2e-10000-$txns
work=${TMPDIR:-/tmp}/comp-many-plans-$plans-$txns
swift build -c release --product comp >/dev/null
comp=.build/release/comp
[ -f "$source/data/transactions.csv" ] || $comp sample --reps 10000 --txns "$txns" --seed 1 --out "$source/data" >/dev/null
mkdir -p "$work/data" "$work/plans"
for file in transactions quotas fx; do ln -sf "$source/data/$file.csv" "$work/data/$file.csv"; done
python3 - "$plans" "$source/data/roster.csv" "$work" <<'PY'
import csv, io, sys
plans, roster, work = int(sys.argv[1]), sys.argv[2], sys.argv[3]
text = open("Plans/examples/ae-standard.plan").read()
for index in range(plans):
    open(f"{work}/plans/p{index:02d}.plan", "w").write(text.replace('plan "AE-STD"', f'plan "P{index:02d}"'))
rows = list(csv.reader(open(roster, newline="")))
column = rows[0].index("plan")
spread = 0
for row in rows[1:]:
    if row[column] == "AE-STD":
        row[column] = f"P{spread % plans:02d}"
        spread += 1
out = io.StringIO()
csv.writer(out, lineterminator="\n").writerows(rows)
open(f"{work}/data/roster.csv", "w").write(out.getvalue())
PY
cat "$work"/data/*.csv >/dev/null
measure() {  # label binary: prints "label seconds peak_MiB"
    rm -f "$work"/r.sqlite*
    /usr/bin/env python3 - "$@" "$work" <<'PY'
import resource, subprocess, sys, time
label, binary, work = sys.argv[1:4]
start = time.perf_counter()
subprocess.run([binary, "run", "--plans", f"{work}/plans", "--data", f"{work}/data", "--db", f"{work}/r.sqlite",
                "--export-payouts", f"{work}/payouts-{label}.csv"], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
print(f"{label} {time.perf_counter() - start:.3f} s, peak {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024} MiB")
PY
}
echo "$plans plans, $txns transactions ($work)"
for ((round = 0; round < rounds; round++)); do
    measure comp "$comp"
    if [ -n "${COMP_BASE:-}" ]; then measure base "$COMP_BASE"; fi
done
if [ -n "${COMP_BASE:-}" ]; then
    if cmp -s "$work/payouts-comp.csv" "$work/payouts-base.csv"; then echo "identical payouts"; else echo "PAYOUTS DIFFER"; fi
fi
