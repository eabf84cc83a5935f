-- Hand-written baseline for the funded-actions import: the target table, made once per run.
-- Same columns, defaults, checks, keys and indexes as funded_actions, and its foreign key.
DROP TABLE IF EXISTS bench_baseline_actions;
CREATE TABLE bench_baseline_actions (LIKE funded_actions INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING INDEXES);
ALTER TABLE bench_baseline_actions ADD FOREIGN KEY (organisation_id) REFERENCES organisations (id);
