#!/usr/bin/env bash
# End to end, in the same run: `comp run` + `comp export` of the reference plan against the same
# plan in DuckDB SQL (duckdb/reference_plan.sql), on a `comp sample` data set. Prints wall time
# and peak memory of both, their ratio, and checks that both wrote the same payouts.
#
#   Benchmarks/run-vs-duckdb.sh [REPS] [TXNS] [ROUNDS]     (default 10000 1000000 3)
set -euo pipefail
cd "$(dirname "$0")/.."
reps=${1:-10000}
txns=${2:-1000000}
runs=${3:-3}
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

# Each round times comp, then DuckDB, right after it: the machine is shared and its speed drifts
# by tens of percent within minutes, so a round's two times are compared with each other, and the
# rounds' ratios are summed up by their median.
comp_times=(); comp_peaks=(); duck_times=(); duck_peaks=()
# Both read the data from the page cache (as PERFORMANCE.md measured): a first round reading it
# from disk had taken 2-3x as long for both.
cat "$work"/data/*.csv >/dev/null
for ((round = 0; round < runs; round++)); do
    rm -f "$work"/results.sqlite*
    # comp writes both exports as part of the run (--export-payouts/--export-measures write what
    # `comp export` writes, on another core while SQLite stores the run).
    read -r comp_s comp_kib < <(measure $comp run --plans Plans/examples/ae-standard.plan --data "$work/data" --db "$work/results.sqlite" --export-payouts "$work/payouts.csv" --export-measures "$work/measures.csv")
    read -r duck_s duck_kib < <(measure python3 Benchmarks/duckdb/run_reference.py "$work/data" "$work/duckdb-payouts.csv")
    comp_times+=("$comp_s"); comp_peaks+=("$comp_kib"); duck_times+=("$duck_s"); duck_peaks+=("$duck_kib")
done

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

echo "data: $reps reps, $txns transactions ($work/data), $runs rounds"
python3 - "$same" "${comp_times[*]}" "${comp_peaks[*]}" "${duck_times[*]}" "${duck_peaks[*]}" <<'PY'
import statistics, sys
same = sys.argv[1]
comp, comp_kib, duck, duck_kib = ([float(x) for x in arg.split()] for arg in sys.argv[2:6])
print("| round | comp run + export s | DuckDB s | DuckDB / comp | peak RSS comp / DuckDB MiB |")
print("| ---: | ---: | ---: | ---: | ---: |")
ratios = []
for i, (c, d) in enumerate(zip(comp, duck)):
    ratios.append(d / c)
    print(f"| {i + 1} | {c:.3f} | {d:.3f} | {d / c:.2f}x | {int(comp_kib[i]) // 1024} / {int(duck_kib[i]) // 1024} |")
print(f"DuckDB / comp time: {statistics.median(ratios):.2f}x (median of {len(ratios)} rounds); {same}")
PY
