// Where a first visit's time goes (scripts/trace-first-visit.sh): one
// approver's first visit to the requests list at 390×844 under the same
// throttling as bench-frontend.mjs (150 ms, 1.6 Mbps, 4× CPU), recorded as
// a DevTools performance trace (written to TRACE_OUT, to open in DevTools)
// and summed up: each file's request and arrival, the main thread's busy
// time by kind (parsing, script, wasm compile, style and layout, paint)
// between the navigation's start and the frame that shows the first row,
// and the loader's own marks (its module loaded, the app started and
// mounted). Median of TRACE_RUNS runs, each in a fresh browser context.
import { writeFileSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { BASE, signIn } from './bench-lib.mjs';

const RUNS = Number(process.env.TRACE_RUNS ?? 5);
const OUT = process.env.TRACE_OUT ?? 'test-output/first-visit-trace.json';
const PAGE = process.env.TRACE_PAGE ?? '/support/lockbox-requests';
const ROW = 'a.request-row';

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--no-first-run'],
});
const cookie = (await signIn('approver1@contoso.example')).split('=').slice(1).join('=');

// The kinds the main thread's time is put under, by trace event name.
const KINDS = [
  ['HTML parsing', /^ParseHTML$/],
  ['wasm compile', /wasm|Wasm/],
  ['script compile', /^(v8\.compile|v8\.compileModule|CompileScript|CompileModule|v8\.produceModuleCache)$/],
  ['script run (JS + wasm)', /^(EvaluateScript|v8\.evaluateModule|FunctionCall|v8\.callFunction|TimerFire|FireAnimationFrame|RunMicrotasks|EventDispatch|XHRReadyStateChange|v8\.run)$/],
  ['style', /^(UpdateLayoutTree|RecalculateStyles|ParseAuthorStyleSheet|ScheduleStyleRecalculation)$/],
  ['layout', /^(Layout|UpdateLayerTree|IntersectionObserverController::computeIntersections)$/],
  ['paint and composite', /^(Paint|PaintImage|RasterTask|CompositeLayers|Commit|PrePaint|Layerize|UpdateLayer)$/],
  ['garbage collection', /^(MinorGC|MajorGC|V8\.GC|BlinkGC)/],
];

const median = (list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];
const runs = [];
let kept = null;
for (let run = -1; run < RUNS; run++) {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  await context.addCookies([{ name: 'CF_Authorization', value: cookie, url: BASE, httpOnly: true, secure: true, sameSite: 'Strict' }]);
  const page = await context.newPage();
  await page.addInitScript((row) => {
    const seen = new MutationObserver(() => {
      if (!document.querySelector(row)) return;
      seen.disconnect();
      const inDocument = performance.now();
      requestAnimationFrame(() => { window.__lockboxFirstRow = { inDocument, frame: performance.now() }; });
    });
    seen.observe(document, { childList: true, subtree: true });
  }, ROW);
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  const files = new Map();
  cdp.on('Network.requestWillBeSent', (e) => files.set(e.requestId, { url: e.request.url, sent: e.timestamp }));
  cdp.on('Network.responseReceived', (e) => { const f = files.get(e.requestId); if (f) f.firstByte = e.timestamp; });
  cdp.on('Network.loadingFinished', (e) => {
    const f = files.get(e.requestId);
    if (f) { f.done = e.timestamp; f.bytes = e.encodedDataLength; }
  });
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false, latency: 150, downloadThroughput: (1.6 * 1024 * 1024) / 8, uploadThroughput: (750 * 1024) / 8,
  });
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
  const events = [];
  cdp.on('Tracing.dataCollected', (e) => events.push(...e.value));
  const traced = new Promise((resolve) => cdp.once('Tracing.tracingComplete', resolve));
  await cdp.send('Tracing.start', {
    transferMode: 'ReportEvents',
    traceConfig: {
      // What DevTools' Performance panel records (without its sampling
      // profiler, which would slow the page it measures).
      includedCategories: ['devtools.timeline', 'disabled-by-default-devtools.timeline',
        'disabled-by-default-devtools.timeline.frame', 'v8.execute', 'blink.console', 'blink.user_timing',
        'loading', 'latencyInfo', 'toplevel'],
    },
  });
  await page.goto(`${BASE}${PAGE}`, { waitUntil: 'commit' });
  await page.waitForFunction(() => window.__lockboxFirstRow !== undefined, null, { timeout: 20_000 });
  const marks = await page.evaluate(() => ({
    row: window.__lockboxFirstRow,
    marks: Object.fromEntries(performance.getEntriesByType('mark').map((m) => [m.name, m.startTime])),
    origin: performance.timeOrigin,
  }));
  await cdp.send('Tracing.end');
  await traced;
  await context.close();
  if (run < 0) continue; // the server's isolates warm up on the first load
  if (!kept) kept = events;

  // The renderer's main thread, and the trace's clock at navigation start.
  const main = events.find((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain'
    && events.some((n) => n.pid === e.pid && n.name === 'navigationStart'));
  const nav = events.filter((e) => e.name === 'navigationStart' && (!main || e.pid === main.pid)).at(-1);
  const t0 = nav.ts; // microseconds
  const end = t0 + marks.row.frame * 1000;
  // Time each kind takes on the main thread up to the frame (outermost
  // events of each kind only, so nested ones are not counted twice).
  const busy = Object.fromEntries(KINDS.map(([k]) => [k, 0]));
  const open = [];
  const complete = events.filter((e) => e.ph === 'X' && main && e.pid === main.pid && e.tid === main.tid
    && e.ts >= t0 && e.ts < end).sort((a, b) => a.ts - b.ts);
  for (const e of complete) {
    const kind = KINDS.find(([, re]) => re.test(e.name))?.[0];
    if (!kind) continue;
    while (open.length && open.at(-1).until <= e.ts) open.pop();
    if (open.some((o) => o.kind === kind)) continue;
    busy[kind] += Math.min(e.dur ?? 0, end - e.ts) / 1000;
    open.push({ kind, until: e.ts + (e.dur ?? 0) });
  }
  // Whole tasks: the main thread's total busy time.
  let tasks = 0;
  for (const e of complete) if (e.name === 'RunTask' || e.name === 'ThreadControllerImpl::RunTask') tasks += Math.min(e.dur ?? 0, end - e.ts) / 1000;
  // Each file as the page saw it, relative to navigation start (CDP's
  // network clock is in seconds on the same monotonic base as the trace).
  const navSeconds = t0 / 1e6;
  const list = [...files.values()].filter((f) => f.done).map((f) => ({
    file: new URL(f.url).pathname + new URL(f.url).search,
    sent: Math.round((f.sent - navSeconds) * 1000),
    firstByte: Math.round(((f.firstByte ?? f.done) - navSeconds) * 1000),
    done: Math.round((f.done - navSeconds) * 1000),
    kb: f.bytes / 1024,
  })).sort((a, b) => a.sent - b.sent);
  runs.push({ frame: marks.row.frame, inDocument: marks.row.inDocument, marks: marks.marks, busy, tasks, files: list });
}
await browser.close();
writeFileSync(OUT, JSON.stringify({ traceEvents: kept }));

const m = (pick) => Math.round(median(runs.map(pick)));
console.log(`First visit to ${PAGE} at 390×844, 150 ms / 1.6 Mbps / 4× CPU; median of ${RUNS} (ms from navigation start):`);
console.log(`  first row in the document: ${m((r) => r.inDocument)} ms; the frame that shows it: ${m((r) => r.frame)} ms`
  + ` (runs: ${runs.map((r) => Math.round(r.frame)).join(', ')})`);
const names = [...new Set(runs.flatMap((r) => r.files.map((f) => f.file)))];
console.log('  files (sent → first byte → done, KB on the wire):');
for (const name of names) {
  const of = runs.map((r) => r.files.find((f) => f.file === name)).filter(Boolean);
  if (of.length < runs.length / 2) continue;
  const med = (k) => median(of.map((f) => f[k]));
  const label = name.length > 46 ? `${name.slice(0, 43)}…` : name;
  console.log(`    ${label.padEnd(46)} ${String(med('sent')).padStart(5)} → ${String(med('firstByte')).padStart(5)} → ${String(med('done')).padStart(5)}   ${med('kb').toFixed(1).padStart(6)} KB`);
}
const markNames = [...new Set(runs.flatMap((r) => Object.keys(r.marks)))];
if (markNames.length) {
  console.log('  marks:');
  for (const name of markNames) console.log(`    ${name.padEnd(46)} ${m((r) => r.marks[name] ?? NaN)} ms`);
}
console.log(`  main thread busy until the frame: ${m((r) => r.tasks)} ms, of which:`);
for (const [kind] of KINDS) console.log(`    ${kind.padEnd(46)} ${String(m((r) => r.busy[kind])).padStart(5)} ms`);
console.log(`  trace of the first measured run: ${OUT} (open in DevTools' Performance panel)`);
