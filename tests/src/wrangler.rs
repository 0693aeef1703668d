//! Servers a test starts itself: a `wrangler dev` on local storage of its
//! own, with variables in place of the dev ones (rotated keys), stopped by
//! its PID when dropped. Helpers then talk to it (`LOCKBOX_URL`).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// A `wrangler dev` this test started, stopped by its PID when dropped.
pub struct Server {
    pid: u32,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = Command::new("kill").arg(self.pid.to_string()).status();
        // wrangler stops its runtime on SIGTERM; wait until it has.
        for _ in 0..100 {
            let alive = Command::new("kill")
                .args(["-0", &self.pid.to_string()])
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success());
            if !alive {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
    }
}

pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Runs `script` with scripts/lib.sh loaded, in the repository; its
/// standard output, trimmed.
pub fn bash(script: &str, args: &[&str]) -> String {
    let out = Command::new("bash")
        .current_dir(root())
        .arg("-c")
        .arg(format!(
            "set -euo pipefail; source scripts/lib.sh; {script}"
        ))
        .arg("bash")
        .args(args)
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()
        .expect("bash runs");
    assert!(out.status.success(), "{script} failed");
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// Starts a server on `dir` with `vars` in place of the dev ones (and,
/// with `demo`, the demo requests made), points the helpers at it, and
/// gives its handle.
pub fn start(dir: &Path, name: &str, vars: &[String], demo: bool) -> Server {
    let env_file = dir.with_extension(format!("{name}.env"));
    let log = dir.with_extension(format!("{name}.log"));
    let mut args = vec![
        env_file.to_str().expect("a path").to_owned(),
        dir.to_str().expect("a path").to_owned(),
        log.to_str().expect("a path").to_owned(),
    ];
    args.push(if demo { "demo" } else { "" }.to_owned());
    args.extend(vars.iter().cloned());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let started = bash(
        r#"write_env_file "$1" "${@:5}"; port=$(free_port)
           start_server "$port" "$2" "$3" --env-file="$1" >&2
           if [ -n "$4" ]; then seed_demo_requests "$port" >&2; fi
           echo "$port $SERVER_PID""#,
        &args,
    );
    let (port, pid) = started.split_once(' ').expect("port and pid");
    std::env::set_var("LOCKBOX_URL", format!("http://127.0.0.1:{port}"));
    Server {
        pid: pid.parse().expect("a pid"),
    }
}

/// A folder for a test's local storage under the tests' output, emptied.
pub fn fresh_dir(name: &str) -> PathBuf {
    let out = std::env::var("LOCKBOX_TEST_OUTPUT")
        .map(PathBuf::from)
        .unwrap_or_else(|_| root().join("test-output"));
    std::fs::create_dir_all(&out).expect("the output folder");
    let dir = out.join(name);
    let _ = std::fs::remove_dir_all(&dir);
    dir
}
