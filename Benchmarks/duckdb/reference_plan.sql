-- The reference plan "AE Standard" (../shared/REFERENCE_PLAN.md) in DuckDB SQL, exact DECIMAL
-- arithmetic, as comp's peer in benchmarks. Expects `tx` (the ledger's columns the plan reads,
-- read once into a table) and the views `roster`, `quotas`, `fx` (created by run_reference.py
-- from the CSV files), and produces `payouts`.
--
-- Written as a DuckDB user would: the ledger is parsed once, each transaction's credit is summed
-- per rep and month in the pass that computes it, months are numbers. (A first version kept the
-- ledger as a view over the CSV file, which DuckDB parsed again for each of its three uses, and
-- materialized a 10-million-row table of credits keyed by month strings: 12-14 s at 10M
-- transactions against 6-8 s for this one, with the same payouts.)
--
-- Rounding is half-even ("banker's"), written out with floor() because DuckDB's round() on
-- decimals rounds half away from zero. There is no decimal division anywhere (DuckDB turns
-- decimal / decimal into DOUBLE): scaling is multiplication by 0.01 or 0.000001, and B / Q is an
-- integer division with explicit half-even rounding.

CREATE OR REPLACE MACRO round_half_even(x, places) AS (
    CASE
        WHEN x * (10 ** places)::DECIMAL(38, 0) - floor(x * (10 ** places)::DECIMAL(38, 0)) > 0.5
            THEN floor(x * (10 ** places)::DECIMAL(38, 0)) + 1
        WHEN x * (10 ** places)::DECIMAL(38, 0) - floor(x * (10 ** places)::DECIMAL(38, 0)) < 0.5
            THEN floor(x * (10 ** places)::DECIMAL(38, 0))
        WHEN floor(x * (10 ** places)::DECIMAL(38, 0)) % 2 = 0
            THEN floor(x * (10 ** places)::DECIMAL(38, 0))
        ELSE floor(x * (10 ** places)::DECIMAL(38, 0)) + 1
    END
);

CREATE OR REPLACE TEMP TABLE reps AS
SELECT rep, CAST(target_incentive AS DECIMAL(38, 6)) AS ti
FROM roster WHERE plan = 'AE-STD';

CREATE OR REPLACE TEMP TABLE months AS
SELECT m AS month_no, '2027-' || lpad(CAST(m AS VARCHAR), 2, '0') AS month FROM range(1, 13) t(m);

-- fx rates by currency and month number (the file's periods are 'YYYY-MM').
CREATE OR REPLACE TEMP TABLE fx_month AS
SELECT currency, CAST(substr(period, 6, 2) AS INTEGER) AS month_no, CAST(rate AS DECIMAL(38, 6)) AS rate
FROM fx WHERE substr(period, 1, 4) = '2027';

-- 1-2. credit = amount × fx × factor per transaction (exact, scale 13), summed per rep and month
-- in the same pass.
CREATE OR REPLACE TEMP TABLE booked AS
SELECT
    t.rep,
    month(t.date) AS month_no,
    sum(CAST(t.amount AS DECIMAL(38, 6))
        * CASE WHEN t.currency = 'USD' THEN CAST(1 AS DECIMAL(38, 6)) ELSE f.rate END
        * CASE WHEN t.kind IN ('new', 'upsell') THEN CAST(1 AS DECIMAL(38, 1))
               WHEN t.kind = 'renewal' THEN CAST(0.5 AS DECIMAL(38, 1))
               ELSE CAST(0 AS DECIMAL(38, 1)) END) AS credit
FROM tx t
JOIN reps r ON r.rep = t.rep
LEFT JOIN fx_month f ON f.currency = t.currency AND f.month_no = month(t.date)
WHERE t.date BETWEEN DATE '2027-01-01' AND DATE '2027-12-31'
GROUP BY ALL;

-- 6. SPIFF units: WIDGET-X whose effective date (the original's date for a reversal) is in March.
CREATE OR REPLACE TEMP TABLE spiff_units AS
WITH widget AS (
    SELECT t.rep, t.date, t.quantity, t.reverses
    FROM tx t JOIN reps r ON r.rep = t.rep
    WHERE t.date BETWEEN DATE '2027-01-01' AND DATE '2027-12-31' AND t.product = 'WIDGET-X'
)
SELECT w.rep, month(w.date) AS month_no, sum(w.quantity) AS units
FROM widget w
LEFT JOIN tx o ON w.reverses IS NOT NULL AND w.reverses <> '' AND o.id = w.reverses
WHERE (CASE WHEN w.reverses IS NOT NULL AND w.reverses <> '' THEN o.date ELSE w.date END)
      BETWEEN DATE '2027-03-01' AND DATE '2027-03-31'
GROUP BY ALL;

CREATE OR REPLACE TEMP TABLE monthly AS
SELECT
    r.rep, m.month, m.month_no, r.ti,
    CAST(round_half_even(coalesce(b.credit, 0), 2) AS HUGEINT) AS b_cents,
    CAST(q.amount AS DECIMAL(38, 6)) AS q
FROM reps r
CROSS JOIN months m
LEFT JOIN booked b ON b.rep = r.rep AND b.month_no = m.month_no
LEFT JOIN quotas q ON q.rep = r.rep AND q.period = m.month;

CREATE OR REPLACE TEMP TABLE payouts_exact AS
SELECT
    mo.rep, mo.month,
    CAST(mo.b_cents AS DECIMAL(38, 0)) * CAST(0.01 AS DECIMAL(38, 2)) AS b,
    mo.q,
    -- 4. attainment = round(B / Q, 6) in units of 10⁻⁶: B/Q·10⁶ = (B·100)·10¹⁰ / (Q·10⁶), all integers.
    mo.b_cents * CAST(10000000000 AS HUGEINT) AS n,
    CAST(mo.q * 1000000 AS HUGEINT) AS d,
    coalesce(s.units, 0) AS units,
    mo.ti
FROM monthly mo
LEFT JOIN spiff_units s ON s.rep = mo.rep AND s.month_no = mo.month_no;

CREATE OR REPLACE TEMP TABLE payouts AS
WITH parts AS (
    SELECT
        rep, month, b, CAST(b AS DECIMAL(38, 8)) AS bx, q, ti, units,
        -- half-even integer division n / d (d > 0): truncated quotient, then adjust.
        n // d AS tq, n % d AS tr, d
    FROM payouts_exact
), att AS (
    SELECT *,
        CASE
            WHEN tr = 0 THEN tq
            WHEN tr > 0 AND 2 * tr > d THEN tq + 1
            WHEN tr > 0 AND 2 * tr < d THEN tq
            WHEN tr > 0 THEN tq + (tq % 2)
            WHEN -2 * tr > d THEN tq - 1
            WHEN -2 * tr < d THEN tq
            ELSE tq - abs(tq % 2)
        END AS att_units
    FROM parts
), comp AS (
    SELECT *,
        -- B at Q's scale first: least()/greatest() of DECIMAL(38,2) and DECIMAL(38,7) take the
        -- first argument's scale, which rounded 0.5·Q to cents when Q had more than 2 decimals.
        round_half_even(
            0.03 * least(bx, 0.5 * q)
            + 0.06 * least(greatest(bx - 0.5 * q, 0), 0.5 * q)
            + 0.10 * least(greatest(bx - q, 0), 0.5 * q)
            + 0.12 * greatest(bx - 1.5 * q, 0), 2) * CAST(0.01 AS DECIMAL(38, 2)) AS commission,
        CAST(150 * units AS DECIMAL(38, 2)) AS spiff,
        CASE WHEN b >= q THEN CAST(2000 AS DECIMAL(38, 2)) ELSE CAST(0 AS DECIMAL(38, 2)) END AS bonus,
        -- 8. cap = round(3 × TI / 12, 2) = round(TI × 0.25, 2), exact before rounding.
        CASE WHEN ti IS NULL THEN NULL ELSE round_half_even(ti * CAST(0.25 AS DECIMAL(38, 2)), 2) * CAST(0.01 AS DECIMAL(38, 2)) END AS cap
    FROM att
)
SELECT
    rep, month,
    CAST(b AS DECIMAL(38, 2)) AS bookings,
    CAST(att_units AS DECIMAL(38, 0)) * CAST(0.000001 AS DECIMAL(38, 6)) AS attainment,
    CAST(commission AS DECIMAL(38, 2)) AS commission,
    spiff, bonus,
    CAST(CASE WHEN cap IS NULL THEN commission + spiff + bonus ELSE least(commission + spiff + bonus, cap) END
         AS DECIMAL(38, 2)) AS capped_total
FROM comp;
