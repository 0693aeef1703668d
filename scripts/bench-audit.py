"""Audit search and export on a large log: the Worker next to plain SQLite.

Run by scripts/bench-audit.sh, which starts the server. Prints numbers.
"""
import glob
import json
import os
import sqlite3
import statistics
import time
import urllib.request

BASE = os.environ["LOCKBOX_URL"]
D1_DIR = os.environ["LOCKBOX_D1_DIR"]
RECORDS = int(os.environ.get("BENCH_RECORDS", "1000000"))
RUNS = int(os.environ.get("BENCH_RUNS", "20"))
TAILSPIN = "7c0a8f4e-5a1b-4c3d-9e2f-000000000003"
# The columns and join the Worker's search selects (backend/src/store/audit.rs).
COLUMNS = ("a.id, a.seq, a.occurred_at, a.ip, a.user, a.activity, a.item, a.details, "
           "a.tenant_id, l.leaf_hash")
FROM = ("FROM audit_log a LEFT JOIN audit_leaves l "
        "ON l.tenant_id = a.tenant_id AND l.seq = a.seq")


def call(method, path, body=None, cookie=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(BASE + path, data=data, method=method)
    req.add_header("Content-Type", "application/json")
    if cookie:
        req.add_header("Cookie", cookie)
    with urllib.request.urlopen(req, timeout=600) as r:
        return r.status, r.headers, r.read()


def sign_in(email):
    _, headers, _ = call("POST", "/api/v1/dev/sign-in", {"email": email})
    return headers["Set-Cookie"].split(";")[0]


def median_ms(f):
    times = []
    for _ in range(RUNS):
        t = time.perf_counter()
        f()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def main():
    t = time.perf_counter()
    left = RECORDS
    while left > 0:
        n = min(left, 250_000)
        call("POST", "/api/v1/dev/seed-audit", {"tenant_id": TAILSPIN, "count": n})
        left -= n
    print(f"seeded {RECORDS} records in {time.perf_counter() - t:.1f} s")
    cookie = sign_in("auditor@tailspin.example")
    # Lockbox's file among the local D1 files (the sample service has one too).
    db = next(c for c in (sqlite3.connect(p) for p in glob.glob(f"{D1_DIR}/v3/d1/miniflare-D1DatabaseObject/*.sqlite")
                          if not p.endswith("metadata.sqlite"))
              if c.execute("SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE name = 'audit_log')").fetchone()[0])

    searches = [
        ("one activity, newest 100",
         "activity=Set-AccessToCustomerDataRequest",
         "a.tenant_id = ? AND a.activity IN (?)", [TAILSPIN, "Set-AccessToCustomerDataRequest"]),
        ("one user and one activity",
         "user=person3@bulk.example&activity=Add-RoleMember",
         "a.tenant_id = ? AND a.activity IN (?) AND a.user IN (?)",
         [TAILSPIN, "Add-RoleMember", "person3@bulk.example"]),
        ("one hour of 2025",
         "start=1735700000000&end=1735703600000",
         "a.tenant_id = ? AND a.occurred_at >= ? AND a.occurred_at < ?",
         [TAILSPIN, 1735700000000, 1735703600000]),
        ("user text contains",
         "user_contains=person6",
         "a.tenant_id = ? AND instr(lower(a.user), lower(?)) > 0", [TAILSPIN, "person6"]),
    ]
    print(f"\nsearch pages of 100 on {RECORDS} records (median of {RUNS}):")
    print(f"{'search':32} {'worker ms':>10} {'sqlite ms':>10} {'ratio':>7}  plan")
    for name, query, where, args in searches:
        path = f"/api/v1/audit?limit=100&{query}"
        worker = median_ms(lambda: call("GET", path, cookie=cookie))
        sql = f"SELECT {COLUMNS} {FROM} WHERE {where} ORDER BY a.seq DESC LIMIT 101"
        direct = median_ms(lambda: db.execute(sql, args).fetchall())
        plan = "; ".join(r[3] for r in db.execute("EXPLAIN QUERY PLAN " + sql, args))
        print(f"{name:32} {worker:10.1f} {direct:10.1f} {worker / direct:7.1f}  {plan}")

    n = min(RECORDS, 100_000)
    query = f"start=1735689600000&end={1735689600000 + n * 1000 + 1}"
    t = time.perf_counter()
    _, _, body = call("GET", f"/api/v1/audit/export.csv?{query}", cookie=cookie)
    took = time.perf_counter() - t
    rows = body.count(b"\n") - 1
    print(f"\nCSV export: {rows} records, {len(body) / 1e6:.1f} MB in {took:.2f} s: "
          f"{rows / took:,.0f} records/s")


if __name__ == "__main__":
    main()
