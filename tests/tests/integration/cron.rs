use lockbox_tests::{d1_query, get, now_ms, trigger_cron};

fn runs_between(from_ms: i64, to_ms: i64) -> Vec<i64> {
    d1_query(&format!(
        "SELECT scheduled_at FROM cron_runs WHERE scheduled_at BETWEEN {from_ms} AND {to_ms} ORDER BY id"
    ))
    .iter()
    .map(|row| row["scheduled_at"].as_i64().expect("a time"))
    .collect()
}

#[test]
fn each_run_of_the_scheduled_job_is_recorded_with_the_events_time() {
    let _cron = lockbox_tests::cron_lock();
    let before = now_ms();
    trigger_cron();
    trigger_cron();
    let after = now_ms();

    let runs = runs_between(before, after);
    assert_eq!(
        runs.len(),
        2,
        "two runs between {before} and {after}: {runs:?}"
    );

    let health = get("/api/v1/health").json();
    assert_eq!(health["last_cron_run_at"], runs[1]);
}
