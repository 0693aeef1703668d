// Shared helpers for the browser tests: one headless Debian Chromium driven by
// playwright-core (never a downloaded browser), the server's address, and a
// screenshot folder.
import { chromium } from 'playwright-core';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

export const BASE_URL = process.env.LOCKBOX_URL;
if (!BASE_URL) {
  throw new Error('LOCKBOX_URL is not set: run the browser tests with `make test`, which starts the server.');
}

const outDir = process.env.LOCKBOX_TEST_OUTPUT ?? 'test-output';
export const SCREENSHOTS = path.join(outDir, 'screenshots');
mkdirSync(SCREENSHOTS, { recursive: true });

export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };
export const SMALL_PHONE = { width: 360, height: 640 };

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

// Opens a page at the given viewport, in a browser set to `locale` (its
// `navigator.languages`; English unless said); page errors fail the test
// that reads them.
// The service worker (frontend/app/sw.js) is kept out unless `serviceWorkers`
// is 'allow': it has its own test, and the others read the server's answers.
export async function openPage(browser, viewport, locale = 'en-US', serviceWorkers = 'block') {
  const context = await browser.newContext({ viewport, locale, isMobile: viewport.width < 600, hasTouch: viewport.width < 600, serviceWorkers });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (err) => errors.push(err.message));
  page.on('console', (msg) => {
    // Chromium logs every 4xx fetch; a signed-out 401 is expected, not a fault.
    if (msg.type() === 'error' && !/status of 401/.test(msg.text())) errors.push(msg.text());
  });
  return { context, page, errors };
}

// Loads the app's page at `path`. Now and then `wrangler dev` stops sending
// the static assets of a page load until the browser gives up on the
// connection (cloudflare/workers-sdk#3397): seen twice in about 400 loads
// here, never in 900 requests from Node; the next page load works. A load
// whose app has not shown its shell after 20 s is reported on stderr and made once
// more; a second failure fails the test.
export async function load(page, path) {
  for (let attempt = 1; ; attempt++) {
    try {
      const answer = await page.goto(`${BASE_URL}${path}`, { timeout: 20_000 });
      // index.html's loader starts the app's part after the page itself has
      // loaded: a stalled wasm shows only once the shell never appears.
      await page.locator('body > main').waitFor({ timeout: 20_000 });
      return answer;
    } catch (err) {
      if (err.name !== 'TimeoutError' || attempt === 2) throw err;
      console.error(`loading ${path} took over 20 s (wrangler dev stalled); loading it again`);
    }
  }
}

export async function screenshot(page, name) {
  const file = path.join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

// True when the page is wider than its viewport (horizontal scrolling).
export async function scrollsSideways(page) {
  return page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
}

export const CONTOSO = '7c0a8f4e-5a1b-4c3d-9e2f-000000000001';

// Signs in through the API (the dev sign-in) and returns the session cookie
// value; once per person for half an hour (a session lasts an hour, and the
// local sign-in is rate-limited per address).
const sessions = new Map();
export async function apiSignIn(email) {
  const kept = sessions.get(email);
  if (kept && Date.now() - kept.at < 30 * 60_000) return kept.token;
  const token = await apiSignInAnew(email);
  sessions.set(email, { token, at: Date.now() });
  return token;
}

async function apiSignInAnew(email) {
  const r = await fetch(`${BASE_URL}/api/v1/dev/sign-in`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email }),
  });
  if (r.status !== 200) throw new Error(`signing in as ${email}: ${r.status} ${await r.text()}`);
  return r.headers.get('set-cookie').split(';')[0].split('=').slice(1).join('=');
}

export async function apiPost(token, path, body) {
  const r = await fetch(`${BASE_URL}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie: `CF_Authorization=${token}` },
    body: JSON.stringify(body),
  });
  const text = await r.text();
  if (r.status >= 300) throw new Error(`${path}: ${r.status} ${text}`);
  return JSON.parse(text);
}

// Opens a request of `tenant` (Contoso unless said) as engineer1 and has
// the manager pre-approve it: pending for the tenant's approvers. Returns
// { id, ticket }.
export async function createPendingRequest(minutes = 90, tenant = CONTOSO) {
  const engineer = await apiSignIn('engineer1@provider.example');
  const manager = await apiSignIn('manager@provider.example');
  const ticket = `SR-E2E-${Date.now().toString(36)}`;
  const created = await apiPost(engineer, '/api/v1/requests', {
    tenant_id: tenant, service: 'mail', ticket,
    reason: 'Mailbox of the finance team does not open; need its statistics.', duration_minutes: minutes,
    operations: ['Get-Mailbox', 'Get-MailboxStatistics', 'Get-Message'],
  });
  await apiPost(manager, `/api/v1/requests/${created.id}/preapprove`, { comment: 'Checked' });
  return { id: created.id, ticket };
}

// A browser context signed in as `email` (cookie set directly; the sign-in
// page itself has its own test).
export async function signedInPage(browser, viewport, email, locale, serviceWorkers) {
  const opened = await openPage(browser, viewport, locale, serviceWorkers);
  const value = await apiSignIn(email);
  await opened.context.addCookies([{
    name: 'CF_Authorization', value, url: BASE_URL, httpOnly: true, secure: true, sameSite: 'Strict',
  }]);
  return opened;
}

// Every visible button at least `min` px high.
export async function smallButtons(page, min = 44) {
  return page.evaluate((min) => [...document.querySelectorAll('button')]
    .filter((b) => b.offsetParent !== null && b.getBoundingClientRect().height < min)
    .map((b) => `${b.textContent.trim()} (${Math.round(b.getBoundingClientRect().height)} px)`), min);
}

// The accessibility rules axe-core finds broken on the page as it is now
// (WCAG 2.1 A and AA), as "rule: target" lines; [] when clean.
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
export async function axeViolations(page) {
  await page.evaluate(AXE_SOURCE);
  const result = await page.evaluate(() => window.axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
    resultTypes: ['violations'],
  }));
  return result.violations.flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(' ')} (${v.help})`));
}

// Words that the layout breaks across lines: every e-mail address on the
// page and every word of a button's or link-button's label. [] when none.
export async function brokenWords(page) {
  return page.evaluate(() => {
    const broken = [];
    const lines = (node, start, end) => {
      const range = document.createRange();
      range.setStart(node, start);
      range.setEnd(node, end);
      return new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top))).size;
    };
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const parent = node.parentElement;
      if (!parent || parent.offsetParent === null) continue;
      const inButton = parent.closest('button, a.button-link') !== null;
      const pattern = inButton ? /\S+/g : /[^\s@()]+@[^\s@()]+\.[a-z]+/gi;
      for (const match of node.data.matchAll(pattern)) {
        if (lines(node, match.index, match.index + match[0].length) > 1) broken.push(match[0]);
      }
    }
    return broken;
  });
}
