import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  BASE_URL, DESKTOP, PHONE, launch, openPage, screenshot, scrollsSideways, signedInPage, load,
} from './browser.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

for (const [name, viewport] of [['desktop', DESKTOP], ['phone', PHONE]]) {
  test(`the shell and the health answer show at ${name} size`, async () => {
    const { context, page, errors } = await openPage(browser, viewport);
    try {
      await load(page, `/status`);
      await page.getByRole('link', { name: 'Lockbox' }).waitFor();
      await page.getByRole('link', { name: 'Sign in' }).waitFor();
      // Signed out, there is nowhere to go but the sign-in.
      assert.equal(await page.getByRole('navigation', { name: 'Main' }).count(), 0);
      await page.getByTestId('health-database').waitFor();
      assert.equal(await page.getByTestId('health-service').textContent(), 'Running');
      assert.equal(await page.getByTestId('health-database').textContent(), 'Answering');
      assert.match(await page.getByTestId('health-version').textContent(), /^\d+\.\d+\.\d+/);
      assert.equal(await scrollsSideways(page), false, 'the page scrolls sideways');
      await screenshot(page, `shell-${name}`);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
}

test('a deep link that is not a page shows the not-found page inside the shell', async () => {
  const { context, page } = await openPage(browser, DESKTOP);
  try {
    await load(page, `/no/such/page`);
    await page.getByRole('heading', { name: 'Page not found' }).waitFor();
    await page.getByRole('link', { name: 'Lockbox', exact: true }).waitFor();
  } finally {
    await context.close();
  }
});

test('links, back and forward change the page in place within a part of the app, and load another part', async () => {
  const { context, page, errors } = await signedInPage(browser, PHONE, 'approver1@contoso.example');
  const heading = (name) => page.getByRole('heading', { level: 1, name, exact: true });
  const focusedHeading = (name) => page.waitForFunction(
    (text) => document.activeElement?.tagName === 'H1' && document.activeElement.textContent === text, name);
  // A full page load loses this mark.
  const mark = () => page.evaluate(() => { window.__sameApp = true; });
  const marked = () => page.evaluate(() => window.__sameApp === true);
  try {
    await load(page, `/support/lockbox-requests`);
    await heading('Customer Lockbox requests').waitFor();
    await mark();
    const nav = page.getByRole('navigation', { name: 'Main' });
    assert.equal(await nav.getByRole('link', { name: 'Support' }).getAttribute('aria-current'), 'page');

    // A request's page is in the approvers' part: it changes in place.
    await page.locator('a.request-row').first().click();
    await page.getByRole('heading', { level: 1, name: /^Request / }).waitFor();
    assert.match(new URL(page.url()).pathname, /^\/support\/lockbox-requests\/./);
    await page.goBack();
    await heading('Customer Lockbox requests').waitFor();
    await focusedHeading('Customer Lockbox requests');
    await page.goForward();
    await page.getByRole('heading', { level: 1, name: /^Request / }).waitFor();
    assert.equal(await marked(), true, 'the app reloaded within its part');

    // Settings are the admin part: the browser loads it.
    await nav.getByRole('link', { name: 'Settings' }).click();
    await heading('Security & Privacy').waitFor();
    assert.equal(new URL(page.url()).pathname, '/settings/org-settings/security-privacy');
    assert.equal(await marked(), false, 'another part is a page load');
    assert.equal(await nav.getByRole('link', { name: 'Settings' }).getAttribute('aria-current'), 'page');
    assert.equal(await nav.getByRole('link', { name: 'Support' }).getAttribute('aria-current'), null);

    // Within the admin part, in place again, and focus moves to the new
    // page's heading, where a screen reader would start.
    await mark();
    await nav.getByRole('link', { name: 'Audit log' }).click();
    await heading('Audit log').waitFor();
    await focusedHeading('Audit log');
    await page.goBack();
    await heading('Security & Privacy').waitFor();
    assert.equal(await marked(), true, 'the app reloaded within its part');

    // The brand goes to the start page, which sends a customer on to the
    // requests in place of itself: back then leaves the start page out.
    await page.getByRole('link', { name: 'Lockbox', exact: true }).click();
    await heading('Customer Lockbox requests').waitFor();
    assert.equal(new URL(page.url()).pathname, '/support/lockbox-requests');
    await page.goBack();
    await heading('Security & Privacy').waitFor();
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

// Each page address shows that page, not just the app shell: the server
// answers any path with the app, so only the page's own heading proves it.
const PAGES = [
  ['/support/lockbox-requests', 'Customer Lockbox requests'],
  ['/support/lockbox-requests/a11ce000-0000-4000-8000-000000000001', 'Request SR-10231'],
  ['/settings/org-settings/security-privacy', 'Security & Privacy'],
  ['/roles', 'Roles'],
  ['/status', 'System status'],
  ['/audit', 'Audit log'],
  ['/no/such/page', 'Page not found'],
];

test('every page address shows its own page heading', async () => {
  const { context, page, errors } = await signedInPage(browser, DESKTOP, 'admin@contoso.example');
  try {
    for (const [path, heading] of PAGES) {
      await load(page, path);
      await page.getByRole('heading', { level: 1, name: heading, exact: true }).waitFor();
    }
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});
