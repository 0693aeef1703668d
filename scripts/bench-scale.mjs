// Scale benchmark on a running `wrangler dev` (see scripts/bench-scale.sh),
// for one size of the tenant directory (BENCH_TENANTS): the first ACTIVE of
// the bench tenants are active, every other one of them with its data moved
// into its own Durable Object and the rest left in D1, so both layouts are
// measured side by side in one run. Prints the p50/p99 of each call of a
// request's life (open, pre-approve, approve, a batch of operator actions,
// revoke) per layout, next to a trivial route; with BENCH_APPENDS, audit
// appends per second into one tenant and spread over 100; with BENCH_SWEEP,
// grants ended in 100 tenants of each layout: how soon the objects' alarms
// complete theirs (no scheduled run), and how many runs of the scheduled
// job sweep the D1 tenants'.
// Bounded: fixed counts, 4 in flight, loopback only, a deadline.
import { BASE, call, signIn } from './bench-lib.mjs';

const TENANTS = Number(process.env.BENCH_TENANTS ?? 10);
const ACTIVE = Math.min(TENANTS, Number(process.env.BENCH_ACTIVE ?? 1000));
const LIVES = Number(process.env.BENCH_LIVES ?? 100);
const CONCURRENCY = 4;
const DEADLINE = Date.now() + 900_000;
const tenant = (i) => `b5000000-0000-4000-8000-${String(i).padStart(12, '0')}`;

async function pool(count, work) {
  let next = 0;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < count && Date.now() < DEADLINE) await work(next++);
  }));
}
const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};
async function timed(samples, name, make, expect) {
  const t0 = performance.now();
  const r = await make();
  (samples[name] ??= []).push(performance.now() - t0);
  if (r.status !== expect) throw new Error(`${name}: ${r.status} ${r.text.slice(0, 300)}`);
  return r;
}

const engineer = await signIn('engineer1@provider.example');
const manager = await signIn('manager@provider.example');
const mover = await signIn('integrations@provider.example');
const people = new Map();
async function person(email) {
  if (!people.has(email)) people.set(email, await signIn(email));
  return people.get(email);
}

// The active tenants by layout: odd numbers in their object, even in D1.
const layouts = { object: [], d1: [] };
for (let i = 1; i <= ACTIVE; i++) (i % 2 ? layouts.object : layouts.d1).push(i);

// Moving (not measured): mark every object tenant not moved yet, wait out
// the grace once, then finish each move.
const moveStarted = performance.now();
let copyingFrom = 0;
const pending = [];
await pool(layouts.object.length, async (k) => {
  const i = layouts.object[k];
  const r = await call('POST', `/api/v1/provider/tenants/${tenant(i)}/move`, mover, {});
  const state = JSON.parse(r.text);
  if (state.home !== 'object') {
    pending.push(i);
    copyingFrom = Math.max(copyingFrom, state.copying_from ?? 0);
  }
});
if (pending.length) {
  await new Promise((ok) => setTimeout(ok, Math.max(0, copyingFrom - Date.now()) + 500));
  await pool(pending.length, async (k) => {
    for (;;) {
      const r = await call('POST', `/api/v1/provider/tenants/${tenant(pending[k])}/move`, mover, {});
      if (r.status === 200) return;
      if (r.status !== 202) throw new Error(`move: ${r.status} ${r.text}`);
    }
  });
}
const moveSeconds = (performance.now() - moveStarted) / 1000;

async function assertion() {
  const minted = await call('POST', '/api/v1/dev/service-assertion', undefined, {});
  return JSON.parse(minted.text).assertion;
}
async function batch(grant, token, i, samples, name) {
  return timed(samples, name, () => fetch(`${BASE}/api/v1/provider/actions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({
      grant, batch_id: `scale-${Date.now()}-${i}-${Math.random()}`,
      actions: [{ operation: 'Get-Mailbox', item: 'ceo@bench.example' },
        { operation: 'Get-MailboxStatistics', item: 'ceo@bench.example' }],
    }),
  }).then(async (r) => ({ status: r.status, text: await r.text() })), 201);
}
// A grant of tenant i (opened, pre-approved, approved), its calls timed.
async function grantOf(i, samples) {
  const opened = await timed(samples, 'open', () => call('POST', '/api/v1/requests', engineer, {
    tenant_id: tenant(i), service: 'mail', ticket: `SCALE-${i}-${Date.now()}`, reason: 'Scale benchmark',
    duration_minutes: 60, operations: ['Get-Mailbox'],
  }), 201);
  const id = JSON.parse(opened.text).id;
  await timed(samples, 'pre-approve', () => call('POST', `/api/v1/requests/${id}/preapprove`, manager, {}), 200);
  const approver = await person(`approver@t${i}.bench.example`);
  await timed(samples, 'approve', () => call('POST', `/api/v1/requests/${id}/approve`, approver, {}), 200);
  return id;
}

const results = {};
for (const [layout, ids] of Object.entries(layouts)) {
  const samples = {};
  const tokens = [];
  for (let k = 0; k < LIVES; k++) tokens.push(await assertion());
  await pool(LIVES, async (k) => {
    const i = ids[Math.floor(Math.random() * ids.length)];
    const id = await grantOf(i, samples);
    await batch(id, tokens[k], k, samples, 'operator actions (2)');
    const admin = await person(`admin@t${i}.bench.example`);
    await timed(samples, 'revoke', () => call('POST', `/api/v1/requests/${id}/revoke`, admin, { comment: 'done' }), 200);
  });
  results[layout] = samples;
}
const health = [];
for (let k = 0; k < 100; k++) await timed({ h: health }, 'h', () => call('GET', '/api/v1/health'), 200);
const h50 = pct(health, 50);

console.log(`\n${TENANTS} tenants in the directory, ${ACTIVE} active (${layouts.object.length} in their own object, ${layouts.d1.length} in D1); ${LIVES} request lives per layout, ${CONCURRENCY} in flight; moving took ${moveSeconds.toFixed(1)} s; health p50 ${h50.toFixed(1)} ms`);
console.log('call'.padEnd(22), 'layout'.padEnd(7), 'n'.padStart(5), 'p50 ms'.padStart(8), 'p99 ms'.padStart(8), 'p50 ×health'.padStart(12));
for (const name of Object.keys(results.object)) {
  for (const layout of ['object', 'd1']) {
    const xs = results[layout][name] ?? [];
    console.log(name.padEnd(22), layout.padEnd(7), String(xs.length).padStart(5), pct(xs, 50).toFixed(1).padStart(8),
      pct(xs, 99).toFixed(1).padStart(8), (pct(xs, 50) / h50).toFixed(2).padStart(12));
  }
}

if (process.env.BENCH_APPENDS) {
  const N = Number(process.env.BENCH_APPENDS);
  console.log(`\naudit appends (batches of 2 operator actions, ${N} batches, ${CONCURRENCY} in flight)`);
  console.log('layout'.padEnd(7), 'spread'.padEnd(12), 'batches/s'.padStart(10), 'records/s'.padStart(10), 'p50 ms'.padStart(8));
  for (const [layout, ids] of Object.entries(layouts)) {
    for (const spread of [1, Math.min(100, ids.length)]) {
      const grants = [];
      for (let k = 0; k < spread; k++) grants.push(await grantOf(ids[k], {}));
      const tokens = [];
      for (let k = 0; k < N; k++) tokens.push(await assertion());
      const samples = {};
      const t0 = performance.now();
      await pool(N, (k) => batch(grants[k % spread], tokens[k], k, samples, 'b'));
      const seconds = (performance.now() - t0) / 1000;
      console.log(layout.padEnd(7), `${spread} tenant${spread > 1 ? 's' : ''}`.padEnd(12),
        (samples.b.length / seconds).toFixed(1).padStart(10), (2 * samples.b.length / seconds).toFixed(1).padStart(10),
        pct(samples.b, 50).toFixed(1).padStart(8));
    }
  }
}

if (process.env.BENCH_SWEEP) {
  // Grants in 100 tenants of each layout, whose end is moved two hours
  // into the past (the dev-only shift).
  const count = Math.min(100, layouts.object.length, layouts.d1.length);
  const grants = { object: [], d1: [] };
  for (const [layout, ids] of Object.entries(layouts)) {
    await pool(count, async (k) => { grants[layout].push([ids[k], await grantOf(ids[k], {})]); });
  }
  async function left(list) {
    let n = 0;
    await pool(list.length, async (k) => {
      const [i, id] = list[k];
      const admin = await person(`admin@t${i}.bench.example`);
      const got = JSON.parse((await call('GET', `/api/v1/requests/${id}`, admin)).text);
      if (got.state !== 'Completed') n++;
    });
    return n;
  }
  async function shift(list) {
    await pool(list.length, async (k) => {
      const r = await call('POST', '/api/v1/dev/shift-request', undefined, { request_id: list[k][1], ms: 2 * 3600_000 });
      if (r.status !== 200) throw new Error(`shift: ${r.text}`);
    });
  }
  // Tenants in their objects: each object's alarm, no scheduled run.
  const t0 = performance.now();
  await shift(grants.object);
  let waiting = count;
  while (waiting > 0 && performance.now() - t0 < 60_000) {
    await new Promise((ok) => setTimeout(ok, 250));
    waiting = await left(grants.object);
  }
  console.log(`\nended grants in ${count} tenants in their objects: ${count - waiting} completed by their objects' alarms alone within ${((performance.now() - t0) / 1000).toFixed(1)} s of their ends moving into the past (no scheduled run)`);
  // Tenants in D1: the scheduled job, run again and again.
  await shift(grants.d1);
  console.log(`the scheduled job, run again and again, for ended grants in ${count} tenants in D1`);
  console.log('run'.padEnd(5), 'ms (caller)'.padStart(12), 'still live'.padStart(11));
  let runs = 0;
  for (; runs < 100; ) {
    const t1 = performance.now();
    const r = await fetch(`${BASE}/__scheduled?cron=*+*+*+*+*`);
    await r.text();
    runs++;
    const ms = performance.now() - t1;
    const n = await left(grants.d1);
    console.log(String(runs).padEnd(5), ms.toFixed(0).padStart(12), String(n).padStart(11));
    if (n === 0) break;
  }
  console.log(`${count} D1 tenants' ended grants swept in ${runs} runs: ${(count / runs).toFixed(1)} tenants a run (the run's budget of database calls, not its CPU time, bounds it); 10 000 such tenants would take about ${Math.ceil(10000 / (count / runs))} runs of the cron trigger`);
}
