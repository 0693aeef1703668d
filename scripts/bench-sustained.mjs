// Sustained load on a running `wrangler dev` (see scripts/bench.sh): a fixed
// rate of calls (BENCH_RATE per second, 20) for BENCH_SUSTAIN_SECONDS (600),
// sent on schedule whether or not earlier ones have answered (at most
// MAX_IN_FLIGHT at once; a call that would exceed it is counted as skipped),
// mixed as people use Lockbox: of every ten, four access checks, two
// customer list pages, one audit search page, and one request taken
// through creation, pre-approval and approval (three decisions). Prints
// per minute: calls, failures, p50 and p99, and the size of Contoso's audit
// log at the minute's end, to show whether latency grows with the log.
import { BASE, CONTOSO, call, signIn } from './bench-lib.mjs';

const RATE = Number(process.env.BENCH_RATE ?? 20);
const SECONDS = Number(process.env.BENCH_SUSTAIN_SECONDS ?? 600);
const MAX_IN_FLIGHT = 64;

const engineer = await signIn('engineer1@provider.example');
const manager = await signIn('manager@provider.example');
const approver = await signIn('approver1@contoso.example');
const auditor = await signIn('auditor@contoso.example');

async function logSize() {
  const page = await call('GET', '/api/v1/audit?limit=1', auditor);
  return JSON.parse(page.text).items[0]?.seq ?? 0;
}

// Requests on their way: created, then pre-approved, then approved.
const created = [];
const preapproved = [];
let ticket = 0;
const mix = [
  () => ['access check', call('GET', `/api/v1/access/check?tenant=${CONTOSO}&service=mail`, engineer)],
  () => ['list', call('GET', '/api/v1/requests', approver)],
  () => ['create', call('POST', '/api/v1/requests', engineer, {
    tenant_id: CONTOSO, service: 'mail', ticket: `SUSTAIN-${ticket++}`, reason: 'Sustained benchmark', duration_minutes: 30,
    operations: ['Get-Mailbox'],
  }).then((r) => { if (r.status === 201 || r.status === 200) created.push(JSON.parse(r.text).id); return r; })],
  () => ['access check', call('GET', `/api/v1/access/check?tenant=${CONTOSO}&service=mail`, engineer)],
  () => ['audit', call('GET', '/api/v1/audit?limit=50', auditor)],
  () => {
    const id = created.shift();
    if (!id) return ['list', call('GET', '/api/v1/requests', approver)];
    return ['preapprove', call('POST', `/api/v1/requests/${id}/preapprove`, manager, {})
      .then((r) => { if (r.status === 200) preapproved.push(id); return r; })];
  },
  () => ['access check', call('GET', `/api/v1/access/check?tenant=${CONTOSO}&service=mail`, engineer)],
  () => ['list', call('GET', '/api/v1/requests', approver)],
  () => {
    const id = preapproved.shift();
    if (!id) return ['access check', call('GET', `/api/v1/access/check?tenant=${CONTOSO}&service=mail`, engineer)];
    return ['approve', call('POST', `/api/v1/requests/${id}/approve`, approver, { comment: 'sustained' })];
  },
  () => ['access check', call('GET', `/api/v1/access/check?tenant=${CONTOSO}&service=mail`, engineer)],
];

const minutes = [];
let inFlight = 0;
let skipped = 0;
const started = performance.now();
const total = RATE * SECONDS;
const pending = [];
for (let i = 0; i < total; i++) {
  const due = started + (i * 1000) / RATE;
  const wait = due - performance.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  const minute = Math.floor((performance.now() - started) / 60_000);
  minutes[minute] ??= { latencies: [], failures: 0, kinds: {} };
  if (inFlight >= MAX_IN_FLIGHT) {
    skipped++;
    continue;
  }
  inFlight++;
  const t0 = performance.now();
  const [kind, promise] = mix[i % mix.length]();
  pending.push(promise.then((r) => {
    const bucket = minutes[minute];
    bucket.latencies.push(performance.now() - t0);
    bucket.kinds[kind] = (bucket.kinds[kind] ?? 0) + 1;
    if (r.status >= 300) bucket.failures++;
  }, () => { minutes[minute].failures++; }).finally(() => { inFlight--; }));
  if ((i + 1) % (RATE * 60) === 0) {
    // The log's size as this minute ends (not counted as a call).
    logSize().then((n) => { minutes[minute].logSize = n; }, () => {});
  }
}
await Promise.all(pending);
const lastMinute = minutes[minutes.length - 1];
lastMinute.logSize ??= await logSize();

const pct = (list, p) => list[Math.min(list.length - 1, Math.floor((p / 100) * list.length))];
console.log(`Sustained: ${RATE} calls/s for ${SECONDS} s at ${BASE} (mixed; at most ${MAX_IN_FLIGHT} in flight; ${skipped} skipped)`);
console.log('minute'.padEnd(7), 'calls'.padStart(6), 'fail'.padStart(5), 'p50 ms'.padStart(8), 'p99 ms'.padStart(8), 'audit log size'.padStart(15));
let failures = 0;
minutes.forEach((m, i) => {
  const sorted = [...m.latencies].sort((a, b) => a - b);
  failures += m.failures;
  console.log(String(i + 1).padEnd(7), String(sorted.length).padStart(6), String(m.failures).padStart(5),
    (pct(sorted, 50) ?? 0).toFixed(1).padStart(8), (pct(sorted, 99) ?? 0).toFixed(1).padStart(8),
    String(m.logSize ?? '').padStart(15));
});
const kinds = {};
for (const m of minutes) for (const [k, n] of Object.entries(m.kinds)) kinds[k] = (kinds[k] ?? 0) + n;
console.log(`calls by kind: ${Object.entries(kinds).map(([k, n]) => `${k} ${n}`).join(', ')}`);
if (failures > 0) process.exit(1);
