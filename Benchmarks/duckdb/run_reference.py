#!/usr/bin/env python3
"""Runs the reference plan in DuckDB over a data directory and writes payouts.csv in the
REFERENCE_PLAN.md canonical form. Prints the wall time and peak memory of the run.

    python3 run_reference.py DATA_DIR OUT.csv [--threads N]
"""
import resource
import sys
import time

import duckdb

def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    threads = None
    if "--threads" in sys.argv:
        threads = int(sys.argv[sys.argv.index("--threads") + 1])
        args = [a for a in args if a != str(threads)]
    data, out = args[0], args[1]
    start = time.perf_counter()
    con = duckdb.connect()
    if threads:
        con.execute(f"SET threads = {threads}")
    con.execute(f"""
        CREATE TEMP TABLE tx AS SELECT id, date, rep, amount, currency, product, kind, quantity, reverses FROM read_csv('{data}/transactions.csv', header = true, types = {{
            'id': 'VARCHAR', 'date': 'DATE', 'rep': 'VARCHAR', 'amount': 'DECIMAL(18,6)', 'currency': 'VARCHAR',
            'product': 'VARCHAR', 'kind': 'VARCHAR', 'quantity': 'BIGINT', 'region': 'VARCHAR', 'reverses': 'VARCHAR'}});
        CREATE VIEW roster AS SELECT * FROM read_csv('{data}/roster.csv', header = true, all_varchar = true);
        CREATE VIEW quotas AS SELECT rep, period, CAST(amount AS DECIMAL(18,6)) AS amount
            FROM read_csv('{data}/quotas.csv', header = true, all_varchar = true);
        CREATE VIEW fx AS SELECT currency, period, CAST(rate AS DECIMAL(18,6)) AS rate
            FROM read_csv('{data}/fx.csv', header = true, all_varchar = true);
    """)
    with open(__file__.replace("run_reference.py", "reference_plan.sql")) as sql:
        con.execute(sql.read())
    rows = con.execute("""
        SELECT rep, month, bookings::VARCHAR, attainment::VARCHAR, commission::VARCHAR, spiff::VARCHAR,
               bonus::VARCHAR, capped_total::VARCHAR
        FROM payouts ORDER BY rep, month""").fetchall()
    with open(out, "w", newline="\n") as f:
        f.write("rep,month,bookings,attainment,commission,spiff,bonus,capped_total\n")
        for row in rows:
            f.write(",".join(row) + "\n")
    elapsed = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"duckdb {duckdb.__version__}: {len(rows)} rows in {elapsed:.3f} s, peak RSS {peak:.0f} MiB")

if __name__ == "__main__":
    main()
