use lockbox_tests::{get, now_ms, trigger_cron};

fn last_run() -> Option<i64> {
    get("/api/v1/health").json()["last_cron_run_at"].as_i64()
}

#[test]
fn each_run_of_the_scheduled_job_is_recorded_with_the_events_time() {
    let _cron = lockbox_tests::cron_lock();
    let before = now_ms();
    trigger_cron();
    let first = last_run().expect("the first run is recorded");
    trigger_cron();
    let second = last_run().expect("the second run is recorded");
    let after = now_ms();
    assert!(
        before <= first && first < second && second <= after,
        "{before} {first} {second} {after}"
    );
}
