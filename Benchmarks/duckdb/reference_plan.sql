-- The reference plan "AE Standard" (../shared/REFERENCE_PLAN.md) in DuckDB SQL, exact DECIMAL
-- arithmetic, as comp's peer in benchmarks. Expects the variable-free views `tx`, `roster`,
-- `quotas`, `fx` (created by run_reference.py from the CSV files) and produces `payouts`.
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

-- 1. credit per transaction, exact (scale 13), in the transaction's own month.
CREATE OR REPLACE TEMP TABLE credits AS
SELECT
    t.rep,
    strftime(t.date, '%Y-%m') AS month,
    CAST(t.amount AS DECIMAL(38, 6))
        * CASE WHEN t.currency = 'USD' THEN CAST(1 AS DECIMAL(38, 6)) ELSE CAST(f.rate AS DECIMAL(38, 6)) END
        * CASE WHEN t.kind IN ('new', 'upsell') THEN CAST(1 AS DECIMAL(38, 1))
               WHEN t.kind = 'renewal' THEN CAST(0.5 AS DECIMAL(38, 1))
               ELSE CAST(0 AS DECIMAL(38, 1)) END AS credit
FROM tx t
JOIN reps r ON r.rep = t.rep
LEFT JOIN fx f ON f.currency = t.currency AND f.period = strftime(t.date, '%Y-%m')
WHERE year(t.date) = 2027;

-- 6. SPIFF units: WIDGET-X whose effective date (the original's date for a reversal) is in March.
CREATE OR REPLACE TEMP TABLE spiff_units AS
SELECT t.rep, strftime(t.date, '%Y-%m') AS month, sum(t.quantity) AS units
FROM tx t
JOIN reps r ON r.rep = t.rep
LEFT JOIN tx o ON t.reverses IS NOT NULL AND t.reverses <> '' AND o.id = t.reverses
WHERE year(t.date) = 2027
  AND t.product = 'WIDGET-X'
  AND (CASE WHEN t.reverses IS NOT NULL AND t.reverses <> '' THEN o.date ELSE t.date END)
      BETWEEN DATE '2027-03-01' AND DATE '2027-03-31'
GROUP BY ALL;

CREATE OR REPLACE TEMP TABLE monthly AS
SELECT
    r.rep, m.month, r.ti,
    CAST(round_half_even(coalesce(sum(c.credit), 0), 2) AS HUGEINT) AS b_cents,
    CAST(q.amount AS DECIMAL(38, 6)) AS q
FROM reps r
CROSS JOIN months m
LEFT JOIN credits c ON c.rep = r.rep AND c.month = m.month
LEFT JOIN quotas q ON q.rep = r.rep AND q.period = m.month
GROUP BY r.rep, m.month, r.ti, q.amount;

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
LEFT JOIN spiff_units s ON s.rep = mo.rep AND s.month = mo.month;

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
