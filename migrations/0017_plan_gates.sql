-- A plan (a decision with what it ends, a new request, the freeze's or the
-- sweep's moves) is written in one batch: each step's statements run only
-- while its gate row exists, opened at the batch's start if the step's
-- guard holds and removed at its end, so the table is empty between
-- batches. See backend/src/store/plan.rs.
CREATE TABLE plan_gates (
    id TEXT PRIMARY KEY
);
