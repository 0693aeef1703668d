// The approvers' list before the app has loaded: the Worker writes the
// first screen into the page (backend/src/page.rs, lockbox_shared::screen)
// and the app, once started, shows the same page from the same answers.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE_URL, PHONE, launch, screenshot, signedInPage } from './browser.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const LIST = '/support/lockbox-requests';

// The page's frame and content as a tree a person would read: elements
// with their attributes (sorted), text with its spaces collapsed; the
// markers the app's renderer leaves (comments, empty text) are not part of
// it. A deadline's digits are left out: the two renders are a moment apart.
function readTree(roots) {
  const walk = (node, deadline) => {
    if (node.nodeType === Node.TEXT_NODE) {
      let text = node.textContent.replace(/\s+/g, ' ').trim();
      if (deadline) text = text.replace(/\d/g, '#');
      return text ? text : null;
    }
    if (node.nodeType !== Node.ELEMENT_NODE) return null;
    const attrs = [...node.attributes].map((a) => `${a.name}=${a.value}`).sort();
    const inDeadline = deadline || node.classList.contains('cell-deadline');
    const children = [];
    for (const child of node.childNodes) {
      const read = walk(child, inDeadline);
      if (read === null) continue;
      // Adjacent texts read as one.
      if (typeof read === 'string' && typeof children.at(-1) === 'string') children[children.length - 1] += ` ${read}`;
      else children.push(read);
    }
    return { tag: node.tagName.toLowerCase(), attrs, children };
  };
  return roots.map((root) => walk(root, false));
}

// The first difference between two trees, as a path and the two sides.
function firstDifference(a, b, at = '') {
  if (typeof a === 'string' || typeof b === 'string' || !a || !b) {
    return a === b ? null : `${at}: ${JSON.stringify(a)} ≠ ${JSON.stringify(b)}`;
  }
  const here = `${at}/${a.tag}`;
  if (a.tag !== b.tag) return `${at}: <${a.tag}> ≠ <${b.tag}>`;
  if (a.attrs.join(' ') !== b.attrs.join(' ')) return `${here}: [${a.attrs.join(' ')}] ≠ [${b.attrs.join(' ')}]`;
  for (let i = 0; i < Math.max(a.children.length, b.children.length); i++) {
    const diff = firstDifference(a.children[i], b.children[i], `${here}[${i}]`);
    if (diff) return diff;
  }
  return null;
}

test('the list the Worker writes into the page is the one the app shows, and the app fetches nothing to show it', async () => {
  // Before the app: its wasm never arrives.
  const first = await signedInPage(browser, PHONE, 'approver1@contoso.example');
  await first.page.route('**/*_bg.wasm', (route) => route.abort());
  const answer = await first.page.goto(`${BASE_URL}${LIST}`);
  assert.equal(answer.status(), 200);
  assert.match(answer.headers()['cache-control'] ?? '', /no-store/);
  assert.ok(answer.headers()['content-security-policy'], 'the page keeps its security policy');
  await first.page.locator('#lockbox-first a.request-row').first().waitFor();
  const written = await first.page.evaluate(`(${readTree})([document.querySelector('#lockbox-first header'), document.querySelector('#lockbox-first main')])`);
  // Times read in the reader's zone, as the app writes them.
  const times = await first.page.locator('#lockbox-first time').allTextContents();
  assert.ok(times.length > 0);
  for (const t of times) assert.doesNotMatch(t, /^\d{4}-\d\d-\d\dT/, `a time left in UTC: ${t}`);
  // A row is a link that works without the app.
  const href = await first.page.locator('#lockbox-first a.request-row').first().getAttribute('href');
  assert.match(href, /^\/support\/lockbox-requests\/[0-9a-f-]{36}$/);
  await screenshot(first.page, 'first-screen-before-the-app-phone');
  await first.context.close();

  // With the app: it shows the same page and asks the API for none of it.
  const second = await signedInPage(browser, PHONE, 'approver1@contoso.example');
  const calls = [];
  second.page.on('request', (r) => { if (new URL(r.url()).pathname.startsWith('/api/')) calls.push(r.url()); });
  await second.page.goto(`${BASE_URL}${LIST}`);
  await second.page.locator('#lockbox-first').waitFor({ state: 'detached', timeout: 20_000 });
  await second.page.locator('main section.page a.request-row').first().waitFor();
  const shown = await second.page.evaluate(`(${readTree})([document.querySelector('body > header'), document.querySelector('body > main')])`);
  assert.deepEqual(calls, [], 'the app read the answers written into the page');
  const diff = firstDifference(written[0], shown[0]) ?? firstDifference(written[1], shown[1]);
  assert.equal(diff, null, `the first screen and the app's page differ at ${diff}`);
  assert.deepEqual(second.errors, []);
  await second.context.close();

  // An Italian reader's first screen is in Italian.
  const italian = await signedInPage(browser, PHONE, 'approver1@contoso.example', 'it-IT');
  await italian.page.route('**/*_bg.wasm', (route) => route.abort());
  await italian.page.goto(`${BASE_URL}${LIST}`);
  await italian.page.locator('#lockbox-first a.request-row').first().waitFor();
  assert.equal(await italian.page.locator('#lockbox-first').getAttribute('data-lang'), 'it');
  assert.equal(await italian.page.locator('#lockbox-first h1').textContent(), 'Richieste di Customer Lockbox');
  await italian.context.close();
});

test('a second visit shows the last list at once from the phone, and offline says so and offers no decision', async () => {
  const { context, page, errors } = await signedInPage(browser, PHONE, 'approver1@contoso.example', 'en-US', 'allow');
  // Installable: the manifest and its icons are served.
  await page.goto(`${BASE_URL}${LIST}`);
  const manifest = await (await page.request.get(`${BASE_URL}/manifest.webmanifest`)).json();
  assert.equal(manifest.display, 'standalone');
  for (const icon of manifest.icons) assert.equal((await page.request.get(`${BASE_URL}${icon.src}`)).status(), 200, icon.src);
  // The first visit starts the service worker; the next one fills its copy.
  await page.locator('body > main a.request-row').first().waitFor({ timeout: 20_000 });
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 20_000 });
  await page.reload();
  await page.locator('body > main a.request-row').first().waitFor({ timeout: 20_000 });
  const rows = await page.locator('body > main a.request-row').count();
  assert.deepEqual(errors, []);
  // Offline: the page and the list come from the copy, and say so (the
  // reads that could not be made are the only errors).
  await context.setOffline(true);
  await page.reload();
  await page.locator('body > main a.request-row').first().waitFor({ timeout: 20_000 });
  assert.equal(await page.locator('body > main a.request-row').count(), rows);
  await page.getByText(/^Offline: the list as of .+\. Deciding needs a connection\.$/).waitFor({ timeout: 10_000 });
  await screenshot(page, 'offline-list-phone');
  // A request's page needs the server: it offers a retry, not a decision.
  await page.locator('body > main a.request-row').first().click();
  await page.getByRole('button', { name: 'Retry' }).waitFor({ timeout: 10_000 });
  assert.equal(await page.getByRole('button', { name: /^(Approve|Deny)/ }).count(), 0);
  // Back online: the list is the server's again.
  await context.setOffline(false);
  await page.goto(`${BASE_URL}${LIST}`);
  await page.locator('body > main a.request-row').first().waitFor({ timeout: 20_000 });
  await page.waitForFunction(() => document.querySelector('.freshness')?.textContent === '', null, { timeout: 10_000 });
  assert.deepEqual(errors.filter((e) => !/net::ERR_FAILED|ERR_INTERNET_DISCONNECTED|Failed to fetch/.test(e)), []);
  await context.close();
});
