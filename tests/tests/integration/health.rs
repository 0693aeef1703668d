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
    assert_eq!(answer.header("allow"), Some("GET, HEAD"));
}

#[test]
fn a_method_the_runtime_does_not_know_is_405_too_never_read_as_get() {
    use std::io::{Read, Write};
    // ureq refuses methods outside HTTP's own list; speak HTTP/1.1 directly.
    let base = lockbox_tests::base_url();
    let host = base.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(host).expect("the server listens");
    write!(
        stream,
        "QUERY /api/v1/settings/lockbox HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .expect("sent");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("an answer");
    let status_line = answer.lines().next().unwrap_or_default();
    assert!(status_line.contains(" 405 "), "{answer}");
    assert!(
        answer
            .lines()
            .any(|l| l.eq_ignore_ascii_case("allow: GET, HEAD, POST")),
        "{answer}"
    );
}
