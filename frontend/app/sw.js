// Lockbox's service worker (registered by index.html's loader once the app
// has started; scripts/assemble-spa.mjs copies it to /sw.js, minified).
//
// A second visit does not wait for the network:
// - the app's files, whose names carry their content's hash, are kept and
//   served from here (they never change under one name);
// - a page address is answered at once with the page as last fetched
//   (fetched again in the background): the approvers' list with the first
//   screen and answers the Worker wrote into it, marked as kept;
// - the first screens' data (who is signed in, the requests list, the
//   banners' reads) is answered from the last answer kept, marked with
//   `X-Lockbox-Stored-At`, and the app asks again at once with
//   `cache: 'no-store'`, which goes to the network and refreshes the copy.
// Nothing else is kept: every change (a decision above all) and every
// other read goes to the server. Signing out clears the kept answers.
const VERSION = 'v1';
const FILES = `lockbox-files-${VERSION}`;
const ANSWERS = `lockbox-answers-${VERSION}`;
const PAGE = '/__lockbox-page';
const LIST = '/support/lockbox-requests';
const ANSWERS_ID = 'lockbox-answers';
const HASHED = /^\/(lockbox-frontend-[0-9a-f]+(_bg)?\.(js|wasm)|style-[0-9a-f]+\.css)$/;
const KEPT = new Set(['/api/v1/me', '/api/v1/requests', '/api/v1/requests?limit=100', '/api/v1/settings/freeze']);

// Installed from the approvers' list, it keeps that page at once, so the
// very next visit is answered from here too.
self.addEventListener('install', (event) => {
  self.skipWaiting();
  event.waitUntil((async () => {
    const shown = await self.clients.matchAll({ includeUncontrolled: true, type: 'window' });
    if (!shown.some((client) => new URL(client.url).pathname === LIST)) return;
    try {
      await keep(await caches.open(ANSWERS), LIST, await fetch(LIST, { credentials: 'same-origin' }));
    } catch (err) {
      // Kept at the next visit instead.
    }
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name !== FILES && name !== ANSWERS) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

// The app says when the person signs out: what was kept for them goes.
self.addEventListener('message', (event) => {
  if (event.data === 'signed-out') event.waitUntil(caches.delete(ANSWERS));
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== self.location.origin) return;
  if (HASHED.test(url.pathname)) {
    event.respondWith(file(request));
  } else if (request.mode === 'navigate' && !url.pathname.startsWith('/api/') && !url.pathname.startsWith('/.well-known/')) {
    event.respondWith(page(event));
  } else if (KEPT.has(url.pathname + url.search)) {
    event.respondWith(answer(request, url.pathname + url.search));
  }
});

async function file(request) {
  const cache = await caches.open(FILES);
  const kept = await cache.match(request.url);
  if (kept) return kept;
  const fetched = await fetch(request);
  if (fetched.ok) await cache.put(request.url, fetched.clone());
  return fetched;
}

// A page address is answered with the page as last fetched for it (the
// approvers' list with the first screen the Worker wrote, marked with
// when it was kept, so the app shows it as such and asks again; any other
// address with the app's page), and fetched again meanwhile. The first
// visit, with nothing kept, waits for the network.
async function page(event) {
  const url = new URL(event.request.url);
  const written = url.pathname === LIST;
  const cache = await caches.open(written ? ANSWERS : FILES);
  const key = written ? LIST : PAGE;
  const fetched = fetch(event.request).then(async (answer) => {
    await keep(cache, key, answer.clone());
    return answer;
  });
  const kept = await cache.match(key);
  if (kept) {
    event.waitUntil(fetched.catch(() => undefined));
    return kept;
  }
  return fetched;
}

// Keeps a page (an HTML answer) under `key`, its answers marked as kept.
async function keep(cache, key, answer) {
  if (!answer.ok || !(answer.headers.get('content-type') ?? '').startsWith('text/html')) return;
  const text = (await answer.text())
    .replace(`id="${ANSWERS_ID}"`, `id="${ANSWERS_ID}" data-stored-at="${Date.now()}"`);
  await cache.put(key, new Response(text, { status: 200, headers: answer.headers }));
}

async function answer(request, key) {
  const cache = await caches.open(ANSWERS);
  if (request.cache !== 'no-store') {
    const kept = await cache.match(key);
    if (kept) return kept;
  }
  const fetched = await fetch(request);
  if (fetched.ok) {
    const headers = new Headers(fetched.headers);
    headers.set('X-Lockbox-Stored-At', String(Date.now()));
    await cache.put(key, new Response(await fetched.clone().arrayBuffer(), { status: fetched.status, headers }));
  } else if (fetched.status === 401) {
    // Signed out (or someone else's browser now): nothing kept is shown.
    await caches.delete(ANSWERS);
  } else if (fetched.status === 403) {
    await cache.delete(key);
  }
  return fetched;
}
