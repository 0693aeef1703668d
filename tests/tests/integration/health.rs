use lockbox_shared::api::{DatabaseStatus, Health};
use lockbox_shared::problem::Problem;
use lockbox_tests::get;

#[test]
fn health_reports_the_version_and_a_database_that_answers() {
    let answer = get("/api/v1/health");
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert!(answer.content_type.starts_with("application/json"));
    let health: Health = serde_json::from_str(&answer.body).expect("a health document");
    assert_eq!(health.service, "lockbox");
    assert_eq!(health.version, env!("CARGO_PKG_VERSION"));
    assert_eq!(health.database, DatabaseStatus::Ok);
}

#[test]
fn an_unknown_api_path_is_a_problem_json_404_not_the_spa() {
    let answer = get("/api/v1/no-such-thing");
    assert_eq!(answer.status, 404);
    assert_eq!(answer.content_type, "application/problem+json");
    let problem: Problem = serde_json::from_str(&answer.body).expect("a problem document");
    assert_eq!(problem.status, 404);
    assert!(
        problem.detail.contains("/api/v1/no-such-thing"),
        "{}",
        problem.detail
    );
}

#[test]
fn a_wrong_method_is_a_problem_json_405() {
    let answer = lockbox_tests::read(
        lockbox_tests::client()
            .delete(lockbox_tests::url("/api/v1/health"))
            .call(),
    );
    assert_eq!(answer.status, 405);
    assert_eq!(answer.content_type, "application/problem+json");
}
