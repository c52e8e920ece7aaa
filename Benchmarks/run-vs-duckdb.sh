#!/usr/bin/env bash
# End to end, in the same run: `comp run` + `comp export` of the reference plan against the same
# plan in DuckDB SQL (duckdb/reference_plan.sql), on a `comp sample` data set. Prints wall time
# and peak memory of both, their ratio, and checks that both wrote the same payouts.
#
#   Benchmarks/run-vs-duckdb.sh [REPS] [TXNS]      (default 10000 1000000)
set -euo pipefail
cd "$(dirname "$0")/.."
reps=${1:-10000}
txns=${2:-1000000}
work=${TMPDIR:-/tmp}/comp-e2e-$reps-$txns
mkdir -p "$work"
swift build -c release --product comp >/dev/null
comp=.build/release/comp
[ -f "$work/data/transactions.csv" ] || $comp sample --reps "$reps" --txns "$txns" --seed 1 --out "$work/data" >/dev/null
python3 -c "import duckdb" 2>/dev/null || pip install -q duckdb

measure() {  # prints "seconds peak_kib"
    /usr/bin/env python3 - "$@" <<'PY'
import resource, subprocess, sys, time
start = time.perf_counter()
subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL)
elapsed = time.perf_counter() - start
print(f"{elapsed:.3f} {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}")
PY
}

rm -f "$work"/results.sqlite*
# comp writes both exports as part of the run (--export-payouts/--export-measures write what
# `comp export` writes, on another core while SQLite stores the run).
read -r comp_s comp_kib < <(measure $comp run --plans Plans/examples/ae-standard.plan --data "$work/data" --db "$work/results.sqlite" --export-payouts "$work/payouts.csv" --export-measures "$work/measures.csv")
read -r duck_s duck_kib < <(measure python3 Benchmarks/duckdb/run_reference.py "$work/data" "$work/duckdb-payouts.csv")

# Same numbers? Pivot comp's exports into the reference's wide form and compare.
python3 - "$work" <<'PY'
import csv, sys
work = sys.argv[1]
rows = {}
for r in csv.DictReader(open(f"{work}/measures.csv")):
    rows.setdefault((r["rep"], r["period"]), {})[r["measure"]] = r["value"]
for r in csv.DictReader(open(f"{work}/payouts.csv")):
    rows.setdefault((r["rep"], r["period"]), {})[r["component"]] = r["amount"]
with open(f"{work}/comp-payouts.csv", "w", newline="\n") as out:
    out.write("rep,month,bookings,attainment,commission,spiff,bonus,capped_total\n")
    for (rep, period) in sorted(rows, key=lambda k: (k[0].encode(), k[1])):
        v = rows[(rep, period)]
        out.write(",".join([rep, period, v["bookings"], v["attainment"], v["commission"], v["spiff"], v["bonus"], v["total"]]) + "\n")
PY
if cmp -s "$work/comp-payouts.csv" "$work/duckdb-payouts.csv"; then same="identical payouts"; else same="PAYOUTS DIFFER (see $work)"; fi

echo "data: $reps reps, $txns transactions ($work/data)"
printf "| what | wall s | peak RSS MiB |\n| --- | ---: | ---: |\n"
printf "| comp run + export | %s | %d |\n" "$comp_s" $((comp_kib / 1024))
printf "| DuckDB (reference_plan.sql) | %s | %d |\n" "$duck_s" $((duck_kib / 1024))
python3 -c "print(f'DuckDB / comp time: {float(\"$duck_s\") / float(\"$comp_s\"):.2f}x; $same')"
