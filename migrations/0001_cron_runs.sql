-- One row per run of the scheduled job. Times are epoch milliseconds (UTC).
CREATE TABLE cron_runs (
    id           INTEGER PRIMARY KEY,
    scheduled_at INTEGER NOT NULL,  -- the event's scheduled time: "now" for the sweep
    cron         TEXT    NOT NULL,
    finished_at  INTEGER NOT NULL   -- wall clock when the run was recorded
);
CREATE INDEX cron_runs_scheduled_at ON cron_runs (scheduled_at);
