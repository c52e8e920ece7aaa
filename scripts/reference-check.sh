#!/usr/bin/env bash
# The reference check of REFERENCE_PLAN.md on a bundled reference data set (Tests/ReferenceData, default ae-100k): comp run with
# Plans/examples/ae-standard.plan, both exports pivoted into the reference's wide form, compared
# byte for byte with expected-payouts.csv.
#
#   scripts/reference-check.sh [ae-10k|ae-100k]
set -euo pipefail
cd "$(dirname "$0")/.."
set_name=${1:-ae-100k}
data=Tests/ReferenceData/$set_name
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
swift build -c release --product comp >/dev/null
comp=.build/release/comp
$comp run --plans Plans/examples/ae-standard.plan --data "$data" --db "$work/results.sqlite" >/dev/null
$comp export payouts --db "$work/results.sqlite" --out "$work/payouts.csv"
$comp export measures --db "$work/results.sqlite" --out "$work/measures.csv"
python3 - "$work" <<'PY'
import csv, sys
work = sys.argv[1]
rows = {}
for r in csv.DictReader(open(f"{work}/measures.csv")):
    rows.setdefault((r["rep"], r["period"]), {})[r["measure"]] = r["value"]
for r in csv.DictReader(open(f"{work}/payouts.csv")):
    rows.setdefault((r["rep"], r["period"]), {})[r["component"]] = r["amount"]
with open(f"{work}/pivot.csv", "w", newline="\n") as out:
    out.write("rep,month,bookings,attainment,commission,spiff,bonus,capped_total\n")
    for key in sorted(rows, key=lambda k: (k[0].encode(), k[1])):
        v = rows[key]
        out.write(",".join([key[0], key[1], v["bookings"], v["attainment"], v["commission"], v["spiff"], v["bonus"], v["total"]]) + "\n")
PY
if cmp "$work/pivot.csv" "$data/expected-payouts.csv"; then
    echo "$set_name: payouts identical to expected-payouts.csv ($(wc -l < "$data/expected-payouts.csv") lines, sha256 $(sha256sum "$work/pivot.csv" | cut -c1-16)…)"
else
    diff "$work/pivot.csv" "$data/expected-payouts.csv" | head -5
    exit 1
fi
