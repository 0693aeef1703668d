#!/usr/bin/env python3
"""Lockbox's monthly Cloudflare bill, from stated volumes.

Reads cloudflare-prices.json (next to this file) and prints, as plain
tables: the volumes assumed, what one access request costs in calls and
rows, the monthly bill of a fleet of tenants with one SQLite-backed
Durable Object per tenant, the same volumes on a single D1 database, and
how fast one tenant's object grows towards its 10 GB limit.

Every number that is not a price is a named constant below or a flag.
Standard library only:

    python3 scripts/cost-model.py
    python3 scripts/cost-model.py --audit-row-bytes 1400 --actions 200
"""

import argparse
import json
import math
import os
from dataclasses import dataclass

PRICES_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "cloudflare-prices.json")

GB = 1_000_000_000  # Cloudflare's GB is decimal: 10 GB / 400 B = 25 million records.
DAYS_PER_MONTH = 30  # Cloudflare's GB-month averages over 30 days.

# ---------------------------------------------------------------------------
# Stated volumes: the defaults of the flags.
# ---------------------------------------------------------------------------

REQUESTS_PER_TENANT = 20  # access requests an active tenant sees in a month
ACTIONS_PER_GRANT = 50  # operator actions recorded under one grant (one audit record each)
RETENTION_YEARS = 7  # years the audit log is kept
# Bytes one audit record takes in SQLite, all in: its audit_log row and the
# row's seven index entries, its leaf hash (audit_leaves) and about two tree
# hashes (audit_tree). The default is what was measured
# on the migrations with Python's sqlite3 (4 KB pages, 20 000 operator-action
# records with the details service::integration::record_of writes): about
# 930 B for the row and its indexes, 150 B for the leaf, 300 B for two tree
# hashes, 1 370 B in all: about 7.3 million records per 10 GB.
AUDIT_ROW_BYTES = 1370
APPROVALS_PER_REQUEST = 1  # the tenant's quorum (1 to 3)
ACTIVE_SHARE = 0.3  # share of tenants with any request in a month
DO_ACTIVE_MS = 5  # wall-clock ms a tenant's object is active per call
CPU_MS_PER_CALL = 3  # Worker CPU ms per API call (and per visit of the scheduled job)
HEAVY_MULTIPLIER = 100  # a heavy tenant has this many times the requests
AT_MONTH = 12  # the month of operation the bill describes (stored data grows every month)
FLEETS = (100, 10_000, 100_000)  # tenants in each column

# ---------------------------------------------------------------------------
# What Lockbox does, counted from the code (December 2026).
# ---------------------------------------------------------------------------

# Who is told of what (shared/src/notify.rs: ON_CREATE, for_transition,
# events_for_transition). One outbox row per recipient and per endpoint.
MANAGERS_TOLD = 2  # support managers e-mailed when a request opens
APPROVERS_TOLD = 2  # the tenant's approvers e-mailed when it awaits them
# Webhook endpoints of a tenant that take each event, operator actions
# included (one outbox row per action per endpoint: service::integration::record).
# A tenant without an endpoint writes none; 1 is the heavier case.
WEBHOOK_ENDPOINTS = 1
ACTIONS_PER_BATCH = 1  # operator actions a provider service sends per call (one call per action before touching content)
GRANT_TOKENS_PER_GRANT = 3  # a grant token lives at most 5 minutes; an engineer asks a few times per grant
VIEWS_PER_REQUEST = 5  # request pages and list pages read per request, by either side
REVOKED_SHARE = 0.2  # grants revoked by a person; the rest complete and the sweep ends them

# Rows written per thing in a tenant's SQLite. Cloudflare counts one more
# written row for each index a write includes: "Indexes will add an
# additional written row when writes include the indexed column" (D1
# pricing, definition 6: https://developers.cloudflare.com/d1/platform/pricing/).
# Durable Objects count and price SQLite rows as D1 does (footnote 1 of the
# SQLite storage table: https://developers.cloudflare.com/durable-objects/platform/pricing/),
# so the same is assumed there. SQLite keeps a TEXT or composite PRIMARY KEY
# and each UNIQUE constraint as an index of its own (sqlite_autoindex_*),
# and a delete removes the row from every index, so those count too.
# Index lists: `PRAGMA index_list` on the migrations applied in order.
AUDIT_LOG_ROWS = 8  # audit_log row; its id, (tenant_id, seq), time, activity, user, request and ticket indexes (0003, 0008, 0013)
AUDIT_LEAF_ROWS = 2  # audit_leaves row and its key (0008)
AUDIT_TREE_ROWS = 4  # about two audit_tree hashes per record, each a row and its key (0009)
AUDIT_SEAL_ROWS = 1 / 500  # audit_seal moves once per sealing step of 500 records (service::tree::SEAL_STEP)
AUDIT_RECORD_ROWS = AUDIT_LOG_ROWS + AUDIT_LEAF_ROWS + AUDIT_TREE_ROWS + AUDIT_SEAL_ROWS
# An outbox row's whole life (0010; store::outbox): inserted pending (row,
# id, due, tenant, request, recipient = 6), leased (attempts and
# leased_until are in no index = 1), delivered (row, leaves outbox_due,
# enters outbox_done = 3), pruned after 30 days (row, id, tenant, request,
# recipient, done = 6).
OUTBOX_LIFE_ROWS = 6 + 1 + 3 + 6
# An index copy's whole life (0018; store::provider_index): inserted (row,
# key, pending = 3), marked applied (row, leaves pending, enters applied =
# 3), forgotten a day later (row, key, applied = 3).
INDEX_COPY_LIFE_ROWS = 3 + 3 + 3
PLAN_GATE_ROWS = 4  # a plan_gates row and its key, inserted at a batch's start, deleted at its end (0017)
IDEMPOTENCY_KEY_ROWS = 2  # idempotency_keys row and its key (0004), kept forever
BATCH_ROWS = 2  # provider_batches row and its key (0014), kept forever

# Rows written in the global D1.
# A request_index upsert (0018): the row, and the requester, manager and
# state indexes (the upsert sets every column but id), and the partial
# deadline indexes the row leaves or enters (one or two).
INDEX_UPSERT_ROWS = 6
# Each copy is written into the index twice: by the call that made the
# change (service::tell_index) and again by the scheduled job a minute
# later (cron::catch_up_index), because nothing marks a copy applied when
# the call's own write succeeds.
INDEX_WRITES_PER_COPY = 2
ASSERTION_LIFE_ROWS = 6  # service_assertions row, key and expiry index, inserted per service call and deleted after expiry (0014)
SIGN_IN_ROWS_READ = 4  # D1 rows read to know who calls (the person, roles, tenant), per API call

# The scheduled job (wrangler.toml: crons = ["* * * * *"]).
CRON_RUNS_PER_MONTH = DAYS_PER_MONTH * 24 * 60
CRON_IDLE_CPU_MS = 5  # CPU of a run with nothing due: a handful of D1 queries
CRON_RUN_ROWS_WRITTEN = 2  # the cron_runs row and its scheduled_at index (0001), kept forever
CRON_RUN_ROWS_READ = 20  # index scans that find nothing due (rough)
CRON_RUN_BYTES = 100  # a cron_runs row with its index entry

# Stored bytes (measured like AUDIT_ROW_BYTES unless said otherwise).
OBJECT_EMPTY_BYTES = 376_832  # the 19 migrations on an empty SQLite: 25 tables, 58 indexes, 92 pages of 4 KB (the object applies every migration)
D1_EMPTY_BYTES = OBJECT_EMPTY_BYTES  # the same schema
REQUEST_ROW_BYTES = 1_250  # an access_requests row with its 11 index entries (measured about 1 230)
OUTBOX_ROW_BYTES = 1_500  # an outbox row with a 400-character message and its 5 index entries (measured about 1 480)
OUTBOX_KEPT_DAYS = 30  # delivered and failed messages are kept 30 days (cron::OUTBOX_RETENTION_MS)
INDEX_COPY_BYTES = 1_500  # an index_outbox row: the request row as JSON
INDEX_COPY_KEPT_DAYS = 1  # applied copies are kept a day (provider_index::APPLIED_RETENTION_MS)
OTHER_BYTES_PER_REQUEST = 1_000  # idempotency keys and provider_batches rows, kept forever (rough)
INDEX_ROW_BYTES = 1_200  # a request_index row with its 7 index entries (global)
TENANT_DIRECTORY_BYTES = 2_000  # a tenant's global rows: its directory entry and services (rough)


@dataclass
class Step:
    """One step of a request's life, per occurrence; `times` per request."""

    name: str
    times: float
    api: float  # Worker requests: calls from people or services
    job: float  # visits by the scheduled job (CPU inside its run, no request of their own)
    do: float  # calls into the tenant's object, each a billed Durable Object request
    request_rows: float  # rows written for the request's own row (with its index entries)
    audit: float  # audit records appended
    notices: float  # outbox rows (e-mails and webhook deliveries)
    copies: float  # copies for the provider's index (index_outbox)
    gates: float  # plan gates
    keys: float  # Idempotency-Keys stored
    batches: float  # provider_batches rows
    assertions: float  # service assertions remembered (global)
    tenant_read: float  # rows read in the tenant's SQLite (rough)
    global_read: float  # rows read in D1 besides sign-in (rough)

    def tenant_written(self):
        return (
            self.request_rows
            + self.audit * AUDIT_RECORD_ROWS
            + self.notices * OUTBOX_LIFE_ROWS
            + self.copies * INDEX_COPY_LIFE_ROWS
            + self.gates * PLAN_GATE_ROWS
            + self.keys * IDEMPOTENCY_KEY_ROWS
            + self.batches * BATCH_ROWS
        )

    def global_written(self):
        return (
            self.copies * INDEX_WRITES_PER_COPY * INDEX_UPSERT_ROWS
            + self.assertions * ASSERTION_LIFE_ROWS
        )

    def global_rows_read(self):
        return self.api * SIGN_IN_ROWS_READ + self.global_read


def lifecycle(v):
    """One access request's life, step by step.

    In the object layout a change is one call into the tenant's object
    (the read, the decision and the write happen inside it: README, "Scale");
    a change that writes notices costs one more call to mark them delivered
    after the Worker sends them, and a change with an index copy one more,
    by the scheduled job, to mark the copy applied. Rows read are rough: at
    $0.001 per million beyond 25 billion a month they never move the total.
    """
    ran = 1 - REVOKED_SHARE
    per_batch = ACTIONS_PER_BATCH
    # fmt: off
    # Columns as in Step. `req` counts the request's row with the index
    # entries its write changes: store::requests::update sets every mutable
    # column, so the state and manager indexes are rewritten on each move,
    # besides the partial deadline indexes the row leaves or enters.
    w = WEBHOOK_ENDPOINTS
    return [
        #    step                         times                   api job do req audit  notices                 copies gates keys batches assert t_read             g_read
        # Opened: the row enters its id, tenant, requester, state and
        # manager indexes and the one of requests awaiting pre-approval;
        # the support managers are e-mailed.
        Step("open",                      1,                      1,  1,  3,  7,  1,         MANAGERS_TOLD,          1,     1,    0,   0,      0,     12,                4),
        # Pre-approved: e-mails to the requester and the approvers, webhook
        # request.pending; the row leaves one deadline index, enters another.
        Step("pre-approve",               1,                      1,  1,  3,  5,  1,         1 + APPROVERS_TOLD + w, 1,     1,    1,   0,      0,     20,                2),
        # An approval short of the quorum: no deadline index changes, and
        # nobody is told.
        Step("approve (short of quorum)", v.approvals - 1,        1,  1,  2,  3,  1,         0,                      1,     1,    1,   0,      0,     20,                2),
        # The approval that meets the quorum: e-mail to the requester,
        # webhooks request.decided and grant.started; the row leaves the
        # awaiting-customer index and enters the due-end and live-grant ones.
        Step("approve",                   1,                      1,  1,  3,  6,  1,         1 + 2 * w,              1,     1,    1,   0,      0,     20,                2),
        # Reads only: the grant, the services that serve it.
        Step("grant token",               GRANT_TOKENS_PER_GRANT, 1,  0,  1,  0,  0,         0,                      0,     0,    0,   0,      0,     4,                 2),
        # A provider service records actions before touching content: each
        # an audit record and a webhook operator.action; each call a
        # provider_batches row and a service assertion.
        Step("operator actions",          v.actions / per_batch,  1,  0,  2,  0,  per_batch, per_batch * w,          0,     0,    0,   1,      1,     3 + 3 * per_batch, 2),
        # The 15-minute warning to the requester of a grant that runs its course.
        Step("grant ending warning",      ran,                    0,  1,  2,  0,  0,         1,                      0,     0,    0,   0,      0,     4,                 2),
        # Revoked: e-mail to the requester, webhook grant.ended; the row
        # leaves the due-end and live-grant indexes and enters the revoked one.
        Step("revoke",                    REVOKED_SHARE,          1,  1,  3,  6,  1,         1 + w,                  1,     1,    1,   0,      0,     20,                2),
        # Completed by the sweep: webhook grant.ended (the e-mail went 15
        # minutes before); the row leaves the due-end and live-grant indexes.
        Step("complete (sweep)",          ran,                    0,  2,  3,  5,  1,         w,                      1,     1,    0,   0,      0,     10,                2),
        # Request pages (the request, its history and up to 200 actions) and lists.
        Step("views",                     VIEWS_PER_REQUEST,      1,  0,  1,  0,  0,         0,                      0,     0,    0,   0,      0,     60,                1),
    ]
    # fmt: on


@dataclass
class PerRequest:
    api: float
    job: float
    do: float
    tenant_written: float
    tenant_read: float
    global_written: float
    global_read: float
    audit: float
    notices: float
    copies: float


def per_request(steps):
    def total(f):
        return sum(s.times * f(s) for s in steps)

    return PerRequest(
        api=total(lambda s: s.api),
        job=total(lambda s: s.job),
        do=total(lambda s: s.do),
        tenant_written=total(Step.tenant_written),
        tenant_read=total(lambda s: s.tenant_read),
        global_written=total(Step.global_written),
        global_read=total(Step.global_rows_read),
        audit=total(lambda s: s.audit),
        notices=total(lambda s: s.notices),
        copies=total(lambda s: s.copies),
    )


# ---------------------------------------------------------------------------
# Storage
# ---------------------------------------------------------------------------


def tenant_growth_bytes(r, v):
    """Bytes a tenant's object keeps for good per request (nothing deletes them today)."""
    return r.audit * v.audit_row_bytes + REQUEST_ROW_BYTES + OTHER_BYTES_PER_REQUEST


def tenant_transient_bytes(r, requests_per_month):
    """Bytes of messages and index copies held at any time (they are pruned)."""
    outbox = requests_per_month * r.notices * OUTBOX_ROW_BYTES * OUTBOX_KEPT_DAYS / DAYS_PER_MONTH
    copies = requests_per_month * r.copies * INDEX_COPY_BYTES * INDEX_COPY_KEPT_DAYS / DAYS_PER_MONTH
    return outbox + copies


@dataclass
class Fleet:
    tenants: int
    requests: float  # requests opened a month
    worker_requests: float
    cpu_ms: float
    do_requests: float
    do_gb_s: float
    do_written: float
    do_read: float
    d1_written: float  # global D1 in the object layout
    d1_read: float
    do_fixed_bytes: float  # empty objects and transient rows
    do_growth_bytes: float  # per month
    d1_fixed_bytes: float
    d1_growth_bytes: float  # per month
    single_fixed_bytes: float  # everything on one D1
    single_growth_bytes: float

    def do_bytes(self, month):
        return self.do_fixed_bytes + month * self.do_growth_bytes

    def d1_bytes(self, month):
        return self.d1_fixed_bytes + month * self.d1_growth_bytes

    def single_bytes(self, month):
        return self.single_fixed_bytes + month * self.single_growth_bytes


def fleet(tenants, r, v, billed_gb):
    requests = tenants * v.active_share * v.requests
    do_requests = requests * r.do
    transient = tenant_transient_bytes(r, requests)
    index_growth = requests * INDEX_ROW_BYTES + CRON_RUNS_PER_MONTH * CRON_RUN_BYTES
    directory = D1_EMPTY_BYTES + tenants * TENANT_DIRECTORY_BYTES
    return Fleet(
        tenants=tenants,
        requests=requests,
        worker_requests=requests * r.api + CRON_RUNS_PER_MONTH,
        cpu_ms=requests * (r.api + r.job) * v.cpu_ms + CRON_RUNS_PER_MONTH * CRON_IDLE_CPU_MS,
        do_requests=do_requests,
        do_gb_s=do_requests * v.do_active_ms / 1000 * billed_gb,
        do_written=requests * r.tenant_written,
        do_read=requests * r.tenant_read,
        d1_written=requests * r.global_written + CRON_RUNS_PER_MONTH * CRON_RUN_ROWS_WRITTEN,
        d1_read=requests * r.global_read + CRON_RUNS_PER_MONTH * CRON_RUN_ROWS_READ,
        do_fixed_bytes=tenants * OBJECT_EMPTY_BYTES + transient,
        do_growth_bytes=requests * tenant_growth_bytes(r, v),
        d1_fixed_bytes=directory,
        d1_growth_bytes=index_growth,
        single_fixed_bytes=directory + transient,
        single_growth_bytes=requests * tenant_growth_bytes(r, v) + index_growth,
    )


def month_reaching(fixed, growth, cap):
    """The first month of operation whose end finds `cap` bytes stored, or None."""
    if fixed >= cap:
        return 1
    if growth <= 0:
        return None
    return math.ceil((cap - fixed) / growth)


# ---------------------------------------------------------------------------
# Prices
# ---------------------------------------------------------------------------


class Prices:
    def __init__(self, path):
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
        self.items = {p["id"]: p for p in data["prices"]}
        self.limits = {item["id"]: item for item in data["limits"]}

    def cost(self, item, usage):
        p = self.items[item]
        over = max(0.0, usage - (p["included"] or 0))
        return over * p["price"] / p["per"]

    def limit(self, item):
        return self.limits[item]["value"]


# ---------------------------------------------------------------------------
# Printing
# ---------------------------------------------------------------------------


def spaced(n, decimals=0):
    return f"{n:,.{decimals}f}".replace(",", " ")


def usd(x, decimals=2):
    return "$" + spaced(x, decimals)


def size(b):
    if b >= GB:
        return spaced(b / GB, 2) + " GB"
    return spaced(b / 1_000_000, 1) + " MB"


def table(title, header, rows, align=None):
    """Prints `rows` under `header`; `align` has an "l" or "r" per column
    (default: the first column left, the others right)."""
    align = align or "l" + "r" * (len(header) - 1)
    widths = [max(len(str(row[i])) for row in [header] + rows) for i in range(len(header))]

    def line(row):
        cells = [
            str(c).ljust(w) if a == "l" else str(c).rjust(w)
            for c, w, a in zip(row, widths, align)
        ]
        return "  ".join(cells).rstrip()

    print(title)
    print(line(header))
    print("  ".join("-" * w for w in widths))
    for row in rows:
        print(line(row))
    print()


def main():
    ap = argparse.ArgumentParser(
        description="Lockbox's monthly Cloudflare bill (Workers Paid) from stated volumes, "
        "with one SQLite-backed Durable Object per tenant and, for comparison, one D1 database.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    ap.add_argument("--requests", type=float, default=REQUESTS_PER_TENANT, help="access requests per active tenant per month")
    ap.add_argument("--actions", type=float, default=ACTIONS_PER_GRANT, help="operator actions per grant (one audit record each)")
    ap.add_argument("--retention-years", type=int, default=RETENTION_YEARS, help="years the audit log is kept")
    ap.add_argument("--audit-row-bytes", type=float, default=AUDIT_ROW_BYTES, help="bytes per audit record with its indexes, leaf and tree hashes (measured)")
    ap.add_argument("--approvals", type=int, default=APPROVALS_PER_REQUEST, choices=(1, 2, 3), help="customer approvals per request (quorum)")
    ap.add_argument("--active-share", type=float, default=ACTIVE_SHARE, help="share of tenants active in a month")
    ap.add_argument("--do-active-ms", type=float, default=DO_ACTIVE_MS, help="wall-clock ms a tenant's object is active per call")
    ap.add_argument("--cpu-ms", type=float, default=CPU_MS_PER_CALL, help="Worker CPU ms per API call")
    ap.add_argument("--heavy-multiplier", type=float, default=HEAVY_MULTIPLIER, help="a heavy tenant's requests, as a multiple of --requests")
    ap.add_argument("--month", type=int, default=AT_MONTH, help="month of operation the bill describes (stored data accumulates)")
    ap.add_argument("--tenants", type=int, nargs="+", default=list(FLEETS), help="fleet sizes, one column each")
    ap.add_argument("--prices", default=PRICES_FILE, help="the prices file")
    v = ap.parse_args()

    prices = Prices(v.prices)
    d1_cap = prices.limit("d1_max_database_gb") * GB
    object_cap = prices.limit("do_max_object_gb") * GB
    # Cloudflare's own duration example multiplies seconds by 128 MB / 1 GB.
    billed_gb = prices.limit("do_billed_memory_mb") / 1000
    retention_month = v.retention_years * 12
    as_of = sorted({p["as_of"] for p in prices.items.values()})

    steps = lifecycle(v)
    r = per_request(steps)
    fleets = [fleet(t, r, v, billed_gb) for t in v.tenants]
    heads = [f"{spaced(t)} tenants" for t in v.tenants]

    print(f"Lockbox monthly cost model: Cloudflare Workers Paid, USD, prices as of {', '.join(as_of)}")
    print()

    table(
        "Stated volumes",
        ["volume", "value", "flag"],
        [
            ["access requests per active tenant per month", spaced(v.requests, 1), "--requests"],
            ["operator actions per grant", spaced(v.actions, 1), "--actions"],
            ["customer approvals per request", v.approvals, "--approvals"],
            ["share of tenants active in a month", f"{v.active_share:.0%}", "--active-share"],
            ["years of audit retention", v.retention_years, "--retention-years"],
            ["bytes per audit record, all in", spaced(v.audit_row_bytes), "--audit-row-bytes"],
            ["object active per call (wall ms)", spaced(v.do_active_ms, 1), "--do-active-ms"],
            ["Worker CPU per API call (ms)", spaced(v.cpu_ms, 1), "--cpu-ms"],
            ["heavy tenant, times the requests", spaced(v.heavy_multiplier), "--heavy-multiplier"],
            ["month of operation billed", v.month, "--month"],
        ],
        align="lrl",
    )

    rows = []
    for s in steps:
        if s.times == 0:
            continue
        rows.append(
            [
                s.name,
                spaced(s.times, 1),
                spaced(s.times * s.api, 1),
                spaced(s.times * s.do, 1),
                spaced(s.times * s.tenant_written(), 1),
                spaced(s.times * s.global_written(), 1),
                spaced(s.times * s.audit, 1),
                spaced(s.times * s.notices, 1),
            ]
        )
    rows.append(
        [
            "one request",
            "",
            spaced(r.api, 1),
            spaced(r.do, 1),
            spaced(r.tenant_written, 1),
            spaced(r.global_written, 1),
            spaced(r.audit, 1),
            spaced(r.notices, 1),
        ]
    )
    table(
        "One request's life (rows written include index entries and each row's later deletion)",
        ["step", "times", "API calls", "object calls", "tenant rows written", "D1 rows written", "audit records", "messages"],
        rows,
    )

    def each(f):
        return [f(x) for x in fleets]

    def reached(fixed, growth):
        month = month_reaching(fixed, growth, d1_cap)
        return f"month {spaced(month)}" if month else "never"

    table(
        f"Monthly volumes, one object per tenant (stored data at the end of month {v.month})",
        ["volume"] + heads,
        [
            ["requests opened", *each(lambda x: spaced(x.requests))],
            ["Worker requests (with 43 200 cron runs)", *each(lambda x: spaced(x.worker_requests))],
            ["Worker CPU ms", *each(lambda x: spaced(x.cpu_ms))],
            ["object requests", *each(lambda x: spaced(x.do_requests))],
            ["object duration (GB-s)", *each(lambda x: spaced(x.do_gb_s))],
            ["object rows written", *each(lambda x: spaced(x.do_written))],
            ["object rows read", *each(lambda x: spaced(x.do_read))],
            ["object stored data", *each(lambda x: size(x.do_bytes(v.month)))],
            ["D1 rows written (global)", *each(lambda x: spaced(x.d1_written))],
            ["D1 rows read (global)", *each(lambda x: spaced(x.d1_read))],
            ["D1 stored data (global)", *each(lambda x: size(x.d1_bytes(v.month)))],
            # The provider's index keeps a copy of every request, and nothing prunes it.
            ["global D1 reaches 10 GB", *each(lambda x: reached(x.d1_fixed_bytes, x.d1_growth_bytes))],
        ],
    )

    def object_bill(x, month):
        items = [
            ("Workers Paid subscription", prices.items["workers_subscription"]["price"]),
            ("Workers requests", prices.cost("workers_requests", x.worker_requests)),
            ("Workers CPU", prices.cost("workers_cpu_ms", x.cpu_ms)),
            ("DO requests", prices.cost("do_requests", x.do_requests)),
            ("DO duration", prices.cost("do_duration", x.do_gb_s)),
            ("DO rows written", prices.cost("do_rows_written", x.do_written)),
            ("DO rows read", prices.cost("do_rows_read", x.do_read)),
            ("DO stored data", prices.cost("do_stored_data", x.do_bytes(month) / GB)),
            ("D1 rows written", prices.cost("d1_rows_written", x.d1_written)),
            ("D1 rows read", prices.cost("d1_rows_read", x.d1_read)),
            ("D1 storage", prices.cost("d1_storage", x.d1_bytes(month) / GB)),
        ]
        return items, sum(c for _, c in items)

    bills = [object_bill(x, v.month) for x in fleets]
    late = [object_bill(x, retention_month) for x in fleets]
    rows = [[name] + [usd(b[0][i][1]) for b in bills] for i, (name, _) in enumerate(bills[0][0])]
    rows.append([f"total, month {v.month}"] + [usd(b[1]) for b in bills])
    rows.append([f"per tenant, month {v.month}"] + [usd(b[1] / x.tenants, 4) for b, x in zip(bills, fleets)])
    rows.append([f"total, month {retention_month} (retention reached)"] + [usd(b[1]) for b in late])
    table(f"Monthly cost, one SQLite-backed Durable Object per tenant, month {v.month}", ["item"] + heads, rows)

    # Yearly shards: closed years leave the objects for R2 (see the README's scale section).
    rows = [
        [f"audit data after {v.retention_years} years", *each(lambda x: size(x.requests * r.audit * v.audit_row_bytes * retention_month))],
        ["DO stored data, all in objects", *each(lambda x: usd(prices.cost("do_stored_data", x.do_bytes(retention_month) / GB)))],
    ]
    closed = (v.retention_years - 1) * 12

    def sharded(x):
        moved = x.requests * r.audit * v.audit_row_bytes * closed
        return (
            prices.cost("do_stored_data", (x.do_bytes(retention_month) - moved) / GB),
            prices.cost("r2_storage", moved / GB),
        )

    rows.append(["DO stored data, closed years in R2", *each(lambda x: usd(sharded(x)[0]))])
    rows.append(["R2 storage of the closed years", *each(lambda x: usd(sharded(x)[1]))])
    table(f"Stored data in month {retention_month}, with and without yearly shards in R2", ["item"] + heads, rows)

    rows = []
    marks = []
    for x in fleets:
        reached = month_reaching(x.single_fixed_bytes, x.single_growth_bytes, d1_cap)
        marks.append(reached is not None and reached <= v.month)
        single = [
            prices.items["workers_subscription"]["price"]
            + prices.cost("workers_requests", x.worker_requests)
            + prices.cost("workers_cpu_ms", x.cpu_ms),
            prices.cost("d1_rows_written", x.do_written + x.d1_written),
            prices.cost("d1_rows_read", x.do_read + x.d1_read),
            prices.cost("d1_storage", x.single_bytes(v.month) / GB),
        ]
        rows.append((single, reached, x.single_bytes(v.month)))
    names = ["Workers (subscription, requests, CPU)", "D1 rows written", "D1 rows read", "D1 storage"]
    body = [[n] + [usd(s[0][i]) for s in rows] for i, n in enumerate(names)]
    body.append(["D1 stored data"] + [size(s[2]) + (" !" if m else "") for s, m in zip(rows, marks)])
    body.append([f"total, month {v.month}"] + [usd(sum(s[0])) + (" !" if m else "") for s, m in zip(rows, marks)])
    body.append(["reaches the 10 GB cap"] + [f"month {spaced(s[1])}" if s[1] else "never" for s in rows])
    table(f"The same volumes on one D1 database, month {v.month} (! past the 10 GB cap: one D1 cannot hold it)", ["item"] + heads, body)

    def tenant_column(per_month):
        per_year = per_month * 12
        growth = per_year * tenant_growth_bytes(r, v)
        fixed = OBJECT_EMPTY_BYTES + tenant_transient_bytes(r, per_month)
        years = (object_cap - fixed) / growth if growth else float("inf")
        return [
            spaced(per_year),
            spaced(per_year * r.audit),
            size(per_year * r.audit * v.audit_row_bytes),
            size(per_year * (REQUEST_ROW_BYTES + OTHER_BYTES_PER_REQUEST)),
            size(tenant_transient_bytes(r, per_month)),
            size(fixed + growth),
            size(fixed + growth * v.retention_years),
            spaced(years, 1),
        ]

    typical = tenant_column(v.requests)
    heavy = tenant_column(v.requests * v.heavy_multiplier)
    labels = [
        "requests a year",
        "audit records a year",
        "audit data a year",
        "request rows, keys and batches a year",
        "messages and copies held (30 days)",
        "object size after 1 year",
        f"object size after {v.retention_years} years",
        "years until the object holds 10 GB",
    ]
    table(
        "One tenant's object, active every month",
        ["", f"{spaced(v.requests)} requests a month", f"heavy: {spaced(v.requests * v.heavy_multiplier)} a month"],
        [[label, a, b] for label, a, b in zip(labels, typical, heavy)],
    )

    unconfirmed = [p["item"] for p in prices.items.values() if not p.get("confirmed")]
    if unconfirmed:
        print("Prices not confirmed from a Cloudflare page: " + "; ".join(unconfirmed))
    print(
        "Left out: egress (Cloudflare charges none here), sending e-mail, the sample provider "
        "Worker and its D1, services polling the revocation feed, Workers Logs, R2 operations and retries."
    )


if __name__ == "__main__":
    main()
