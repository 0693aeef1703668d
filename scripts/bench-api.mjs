// Benchmark of the API on a running `wrangler dev` (see scripts/bench.sh):
// throughput and p50/p99 latency of the access check, the customer's list
// (first page, with LIST_SIZE requests in the tenant), approving, an
// operator call (forwarded to the sample service, which records the action
// through /api/v1/provider/actions and then reads), a provider service's
// batch of one action recorded directly, and an audit search page, each
// next to a trivial route
// (health) of the same Worker in the same run, with the database round
// trips each answer waited for (its Server-Timing). Bounded: fixed request
// counts, 4 in flight, loopback only, and a deadline after which it stops.
import { BASE, CONTOSO, answered, call, callPatiently, signIn } from './bench-lib.mjs';

const N = Number(process.env.BENCH_N ?? 200);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4);
const LIST_SIZE = Number(process.env.BENCH_LIST_SIZE ?? 1000);
const DEADLINE = Date.now() + 480_000;

// Runs `count` calls of `make(i)` with CONCURRENCY in flight; returns latencies (ms).
async function measure(count, make, expect) {
  const latencies = [];
  const calls = [];
  const waits = [];
  let next = 0;
  let failures = 0;
  const started = performance.now();
  async function worker() {
    while (next < count && Date.now() < DEADLINE) {
      const i = next++;
      const t0 = performance.now();
      const { status, db } = await make(i);
      latencies.push(performance.now() - t0);
      if (status !== expect) failures++;
      if (db) {
        calls.push(db.calls);
        waits.push(db.ms);
      }
    }
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const seconds = (performance.now() - started) / 1000;
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
  latencies.sort((a, b) => a - b);
  const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))];
  return {
    n: latencies.length, failures, rps: latencies.length / seconds, p50: pct(50), p99: pct(99),
    calls: median(calls), waited: median(waits),
  };
}

const engineer = await signIn('engineer1@provider.example');
const manager = await signIn('manager@provider.example');
const approver = await signIn('approver1@contoso.example');
const auditor = await signIn('auditor@contoso.example');

// Set-up (not measured): LIST_SIZE requests pending for the customer (at
// least N, which are approved below), CONCURRENCY at a time.
const ids = [];
let made = 0;
await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
  while (made < Math.max(N, LIST_SIZE) && Date.now() < DEADLINE) {
    const i = made++;
    const created = await callPatiently('POST', '/api/v1/requests', engineer, {
      tenant_id: CONTOSO, service: 'mail', ticket: `BENCH-${i}`, reason: 'Benchmark', duration_minutes: 60,
      operations: ['Get-Mailbox'],
    });
    const id = JSON.parse(created.text).id;
    await callPatiently('POST', `/api/v1/requests/${id}/preapprove`, manager, {});
    ids.push(id);
  }
}));
// One live grant for the operator calls.
const grant = ids.pop();
await call('POST', `/api/v1/requests/${grant}/approve`, approver, {});
const operation = `/api/v1/tenants/${CONTOSO}/services/mail/operations/Get-Mailbox?request_id=${grant}`;
const toApprove = ids.slice(0, N);
// One fresh service assertion per recorded batch (each `jti` is used once),
// minted before the timing starts.
const assertions = [];
for (let i = 0; i < N && Date.now() < DEADLINE; i++) {
  const minted = await call('POST', '/api/v1/dev/service-assertion', undefined, {});
  assertions.push(JSON.parse(minted.text).assertion);
}
const batch = (i) => fetch(`${BASE}/api/v1/provider/actions`, {
  method: 'POST',
  headers: { 'content-type': 'application/json', authorization: `Bearer ${assertions[i]}` },
  body: JSON.stringify({
    grant, batch_id: `bench-${Date.now()}-${i}`,
    actions: [{ operation: 'Get-Mailbox', item: 'ceo@contoso.example' }],
  }),
}).then(answered);

const results = {
  'GET /api/v1/health (trivial)': await measure(2 * N, () => call('GET', '/api/v1/health'), 200),
  'GET /api/v1/access/check': await measure(
    2 * N, () => call('GET', `/api/v1/access/check?tenant=${CONTOSO}&service=mail`, engineer), 200),
  [`GET /api/v1/requests (${made} in tenant)`]: await measure(
    N, () => call('GET', '/api/v1/requests', approver), 200),
  'POST /api/v1/requests/{id}/approve': await measure(
    toApprove.length, (i) => call('POST', `/api/v1/requests/${toApprove[i]}/approve`, approver, { comment: 'bench' }), 200),
  'POST …/operations/Get-Mailbox': await measure(N, () => call('POST', operation, engineer, {}), 200),
  'POST /api/v1/provider/actions (1 action)': await measure(assertions.length, batch, 201),
  'GET /api/v1/audit (first page)': await measure(N, () => call('GET', '/api/v1/audit?limit=50', auditor), 200),
};

const base = results['GET /api/v1/health (trivial)'];
console.log(`wrangler dev at ${BASE}, ${CONCURRENCY} in flight`);
console.log('route'.padEnd(40), 'n'.padStart(5), 'fail'.padStart(5), 'req/s'.padStart(8), 'p50 ms'.padStart(8),
  'p99 ms'.padStart(8), 'p50 ×health'.padStart(12), 'req/s ×health'.padStart(14), 'db calls'.padStart(9),
  'db ms p50'.padStart(10));
for (const [route, r] of Object.entries(results)) {
  console.log(route.padEnd(40), String(r.n).padStart(5), String(r.failures).padStart(5), r.rps.toFixed(1).padStart(8),
    r.p50.toFixed(1).padStart(8), r.p99.toFixed(1).padStart(8), (r.p50 / base.p50).toFixed(2).padStart(12),
    (r.rps / base.rps).toFixed(2).padStart(14), String(r.calls).padStart(9), r.waited.toFixed(1).padStart(10));
}
if (Object.values(results).some((r) => r.failures > 0)) process.exit(1);
