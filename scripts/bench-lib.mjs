// What the API benchmarks share: the server they drive (LOCKBOX_URL, a
// loopback address only), the demo sign-in and one call.
export const BASE = process.env.LOCKBOX_URL;
if (!BASE || !/^http:\/\/127\.0\.0\.1:\d+$/.test(BASE)) {
  console.error('LOCKBOX_URL must be http://127.0.0.1:<port>');
  process.exit(2);
}
export const CONTOSO = '7c0a8f4e-5a1b-4c3d-9e2f-000000000001';

// The session cookie of a demo person (the dev-only sign-in).
export async function signIn(email) {
  const r = await fetch(`${BASE}/api/v1/dev/sign-in`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email }),
  });
  if (r.status !== 200) throw new Error(`sign-in ${email}: ${r.status}`);
  return r.headers.get('set-cookie').split(';')[0];
}

// One call; its status, body text and the database round trips the Worker
// says it waited for (its Server-Timing: calls, and ms).
export async function call(method, path, cookie, body) {
  const r = await fetch(`${BASE}${path}`, {
    method,
    headers: { cookie: cookie ?? '', ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return answered(r);
}

// `call`, waiting out a rate limit (429: as long as its Retry-After says)
// before trying again: for a benchmark's set-up, which makes more changes
// as one person than a minute allows.
export async function callPatiently(method, path, cookie, body) {
  for (;;) {
    const answer = await call(method, path, cookie, body);
    if (answer.status !== 429) return answer;
    const wait = Number(JSON.parse(answer.text).retry_after ?? 10);
    console.error(`rate-limited on ${method} ${path}: waiting ${wait} s`);
    await new Promise((resolve) => setTimeout(resolve, wait * 1000));
  }
}

// What `call` returns, of a fetch's response.
export async function answered(r) {
  const timing = /db;desc="(\d+) calls";dur=([\d.]+)/.exec(r.headers.get('server-timing') ?? '');
  return {
    status: r.status,
    text: await r.text(),
    db: timing ? { calls: Number(timing[1]), ms: Number(timing[2]) } : null,
  };
}
