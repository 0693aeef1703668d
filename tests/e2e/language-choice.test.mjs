// Where the reader's language comes from (issue 25): a choice made in the
// header is kept with the person (another browser shows it too), and a
// browser asking for no language Lockbox speaks gets the organisation's
// default. Northwind's default is changed here alone, and put back.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  DESKTOP, PHONE, launch, screenshot, signedInPage, load, apiSignIn, apiPost,
} from './browser.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('a language chosen in the header follows the person to another browser', async () => {
  const email = 'auditor@contoso.example';
  const first = await signedInPage(browser, DESKTOP, email, 'en-US');
  try {
    await load(first.page, '/audit');
    await first.page.getByRole('navigation').waitFor();
    assert.equal(await first.page.locator('html').getAttribute('lang'), 'en');
    await Promise.all([
      first.page.waitForEvent('load'),
      first.page.getByTestId('language').selectOption('it'),
    ]);
    assert.equal(await first.page.locator('html').getAttribute('lang'), 'it');
    assert.deepEqual(first.errors, []);
  } finally {
    await first.context.close();
  }
  // A fresh browser, still set to English: the stored choice wins once the
  // session is read.
  const second = await signedInPage(browser, PHONE, email, 'en-US');
  try {
    await load(second.page, '/audit');
    await second.page.waitForFunction(() => document.documentElement.lang === 'it', null, { timeout: 15_000 });
    await second.page.getByRole('navigation').getByRole('link', { name: 'Log di controllo' }).waitFor();
    await screenshot(second.page, 'own-choice-it-phone');
    assert.deepEqual(second.errors, []);
  } finally {
    await second.context.close();
    await apiPost(await apiSignIn(email), '/api/v1/me/language', { language: null });
  }
});

test("a browser asking for another language gets the organisation's default", async () => {
  const admin = await apiSignIn('admin@northwind.example');
  await apiPost(admin, '/api/v1/settings/language', { language: 'it' });
  const { context, page, errors } = await signedInPage(browser, PHONE, 'approver3@northwind.example', 'de-DE');
  try {
    await load(page, '/support/lockbox-requests');
    await page.waitForFunction(() => document.documentElement.lang === 'it', null, { timeout: 15_000 });
    await page.getByRole('heading', { name: 'Richieste di Customer Lockbox' }).waitFor();
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
    await apiPost(admin, '/api/v1/settings/language', { language: 'en' });
  }
});

test("a global admin sets the organisation's default language on Security & Privacy", async () => {
  const { context, page, errors } = await signedInPage(browser, DESKTOP, 'admin@northwind.example', 'en-US');
  try {
    await load(page, '/settings/org-settings/security-privacy');
    await page.getByRole('heading', { name: 'Default language' }).waitFor();
    assert.match(await page.getByTestId('language-state').textContent(), /English/);
    await page.locator('#default-language').selectOption('it');
    await page.getByRole('button', { name: 'Save language' }).click();
    const done = page.getByTestId('language-confirmation');
    await done.waitFor();
    assert.match(await done.textContent(), /Italiano/);
    await page.getByTestId('language-state').filter({ hasText: 'Italiano' }).waitFor();
    // The page itself stays in the admin's browser language.
    assert.equal(await page.locator('html').getAttribute('lang'), 'en');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
    await apiPost(await apiSignIn('admin@northwind.example'), '/api/v1/settings/language', { language: 'en' });
  }
});
