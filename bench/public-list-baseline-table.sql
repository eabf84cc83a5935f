-- Hand-written baseline for the public-list import: the target tables, made once per run, with
-- the same columns, defaults, checks, keys and indexes as providers and certification_observations.
DROP TABLE IF EXISTS bench_baseline_observations, bench_baseline_providers;
CREATE TABLE bench_baseline_providers (LIKE providers INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING INDEXES);
CREATE TABLE bench_baseline_observations (LIKE certification_observations INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING INDEXES INCLUDING IDENTITY);
ALTER TABLE bench_baseline_observations ADD FOREIGN KEY (nda) REFERENCES bench_baseline_providers (nda);
