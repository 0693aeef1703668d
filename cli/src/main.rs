//! `lockbox`: checks a Lockbox audit log, and decision receipts, offline.
//!
//! ```text
//! lockbox audit verify <export.jsonl> --checkpoint <file> --key <file>
//! lockbox audit consistency <old checkpoint> <new checkpoint> --proof <file> --key <file>
//! lockbox receipt verify <receipt> --key <file>
//! lockbox report verify <report> --key <file>
//! lockbox tenant verify <export.jsonl> --key <file>
//! lockbox tenant import <export.jsonl> --key <file> > restore.sql
//! ```
//!
//! Exit status 0 only when everything verifies; 1 when something does not
//! (each finding names the record); 2 for a usage or file error.

use std::process::ExitCode;

const USAGE: &str = "usage:
  lockbox audit verify <export.jsonl> --checkpoint <file> --key <file>
  lockbox audit consistency <old checkpoint> <new checkpoint> --proof <file> --key <file>
  lockbox receipt verify <receipt> --key <file>
  lockbox report verify <report> --key <file>
  lockbox tenant verify <export.jsonl> --key <file>
  lockbox tenant import <export.jsonl> --key <file> > restore.sql

  <export.jsonl>  a whole export: GET /api/v1/audit/export.jsonl without filters
  --checkpoint    what GET /api/v1/audit/checkpoint served (a signed note)
  --key           what GET /api/v1/audit/public-key served (every key the
                  deployment has signed with, one per line) or GET /api/v1/keys
                  (the same keys with the time each was in use); compare them
                  with what your provider publishes out of band. The key that
                  signed is named in the output.
  --proof         what GET /api/v1/audit/consistency?from=<old size>&to=<new size> served
  <receipt>       what GET /api/v1/requests/<id>/receipt served (the request page's
                  'Download signed receipt')
  <report>        what GET /api/v1/requests/<id>/report served once the grant ended
                  (the request page's 'Download signed report')
  tenant ...      what GET /api/v1/provider/tenants/<id>/export served; `import`
                  verifies it, then prints the SQL that restores the tenant into
                  an empty deployment: wrangler d1 execute lockbox --file restore.sql";

fn read(path: &str) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|err| format!("cannot read {path}: {err}"))
}

/// The `--name value` options of a command line.
type Options<'a> = Vec<(&'a str, &'a str)>;

/// The positional arguments and the `--name value` options.
fn split(args: &[String]) -> Result<(Vec<&str>, Options<'_>), String> {
    let mut positional = Vec::new();
    let mut options = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let arg = args[i].as_str();
        if let Some(name) = arg.strip_prefix("--") {
            let value = args
                .get(i + 1)
                .ok_or_else(|| format!("--{name} needs a value"))?;
            options.push((name, value.as_str()));
            i += 2;
        } else {
            positional.push(arg);
            i += 1;
        }
    }
    Ok((positional, options))
}

fn option<'a>(options: &[(&str, &'a str)], name: &str) -> Result<&'a str, String> {
    options
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, v)| *v)
        .ok_or_else(|| format!("--{name} is missing"))
}

fn run(args: &[String]) -> Result<lockbox_cli::Report, String> {
    let (positional, options) = split(args)?;
    match positional.as_slice() {
        ["audit", "verify", export] => Ok(lockbox_cli::verify(
            &read(export)?,
            &read(option(&options, "checkpoint")?)?,
            &read(option(&options, "key")?)?,
        )),
        ["audit", "consistency", old, new] => Ok(lockbox_cli::consistency(
            &read(old)?,
            &read(new)?,
            &read(option(&options, "proof")?)?,
            &read(option(&options, "key")?)?,
        )),
        ["receipt", "verify", receipt] => Ok(lockbox_cli::verify_receipt(
            &read(receipt)?,
            &read(option(&options, "key")?)?,
        )),
        ["report", "verify", note] => Ok(lockbox_cli::verify_report(
            &read(note)?,
            &read(option(&options, "key")?)?,
        )),
        ["tenant", "verify", file] => Ok(lockbox_cli::verify_tenant(
            &read(file)?,
            &read(option(&options, "key")?)?,
        )),
        ["tenant", "import", file] => {
            match lockbox_cli::import_tenant(&read(file)?, &read(option(&options, "key")?)?) {
                Ok(sql) => {
                    print!("{sql}");
                    Ok(lockbox_cli::Report::default())
                }
                Err(report) => Ok(report),
            }
        }
        _ => Err("unknown command".to_owned()),
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(report) => {
            for note in &report.notes {
                println!("ok: {note}");
            }
            for problem in &report.problems {
                // On standard error: `tenant import` writes SQL to standard
                // output, which must not hold them.
                eprintln!("FAILED: {problem}");
            }
            if report.ok() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
        Err(err) => {
            eprintln!("lockbox: {err}\n\n{USAGE}");
            ExitCode::from(2)
        }
    }
}
