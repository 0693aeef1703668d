// Italian and English (issue 25): the language follows the browser unless
// the person chose one in the header; <html lang> always matches.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  DESKTOP, SMALL_PHONE, launch, screenshot, scrollsSideways, signedInPage, load,
  createPendingRequest, axeViolations, brokenWords,
} from './browser.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('an approver with an Italian browser sees the requests in Italian on a phone', async () => {
  await createPendingRequest(60);
  const { context, page, errors } = await signedInPage(browser, SMALL_PHONE, 'approver1@contoso.example', 'it-IT');
  try {
    await load(page, '/support/lockbox-requests');
    await page.getByRole('heading', { name: 'Richieste di Customer Lockbox' }).waitFor();
    assert.equal(await page.locator('html').getAttribute('lang'), 'it');
    assert.equal(await page.locator('.crumbs').first().textContent(), 'Supporto');
    await page.getByRole('heading', { name: /In attesa della tua decisione \(\d+\)/ }).waitFor();
    assert.ok(await page.locator('.badge', { hasText: 'In sospeso' }).count() > 0, 'no Italian state badge');
    assert.equal(await page.getByTestId('language').inputValue(), 'it');
    assert.equal(await scrollsSideways(page), false, 'the page scrolls sideways');
    assert.deepEqual(await brokenWords(page), []);
    assert.deepEqual(await axeViolations(page), []);
    await screenshot(page, 'requests-it-360px');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('switching the language from the header shows the page again in it', async () => {
  const { context, page, errors } = await signedInPage(browser, DESKTOP, 'approver1@contoso.example');
  try {
    await load(page, '/support/lockbox-requests');
    await page.getByRole('heading', { name: 'Customer Lockbox requests' }).waitFor();
    assert.equal(await page.locator('html').getAttribute('lang'), 'en');
    await Promise.all([page.waitForEvent('load'), page.getByTestId('language').selectOption('it')]);
    await page.getByRole('heading', { name: 'Richieste di Customer Lockbox' }).waitFor();
    assert.equal(await page.locator('html').getAttribute('lang'), 'it');
    assert.equal(await page.getByRole('navigation').getByRole('link', { name: 'Supporto' }).count(), 1);
    await screenshot(page, 'requests-it-desktop');
    // Kept for the next visit, and switched back the same way.
    await load(page, '/support/lockbox-requests');
    await page.getByRole('heading', { name: 'Richieste di Customer Lockbox' }).waitFor();
    await Promise.all([page.waitForEvent('load'), page.getByTestId('language').selectOption('en')]);
    await page.getByRole('heading', { name: 'Customer Lockbox requests' }).waitFor();
    assert.equal(await page.locator('html').getAttribute('lang'), 'en');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});
