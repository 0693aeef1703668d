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
    // The navigation follows once the session is read.
    await page.getByRole('navigation').getByRole('link', { name: 'Supporto' }).waitFor();
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

test("an approver decides on a phone entirely in Italian: list, detail, Approva, confirmation", async () => {
  const { id, ticket } = await createPendingRequest(90);
  const { context, page, errors } = await signedInPage(browser, SMALL_PHONE, 'approver1@contoso.example', 'it-IT');
  try {
    await load(page, '/support/lockbox-requests');
    await page.locator(`a[data-request="${id}"]`).click();
    await page.getByRole('heading', { name: `Richiesta ${ticket}` }).waitFor();
    assert.equal(await page.locator('html').getAttribute('lang'), 'it');
    await page.getByRole('heading', { name: 'Dettagli' }).waitFor();
    assert.match(await page.locator('.facts').first().textContent(), /Accesso richiesto per1 ora 30 minuti/);
    assert.equal(await scrollsSideways(page), false, 'the page scrolls sideways');
    assert.deepEqual(await brokenWords(page), []);
    assert.deepEqual(await axeViolations(page), []);
    await screenshot(page, 'request-it-360px');
    await page.getByRole('button', { name: 'Approva' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('heading', { name: 'Approvare questa richiesta?' }).waitFor();
    assert.match(await dialog.textContent(), /Il tecnico ottiene l'accesso al contenuto mail di Contoso per 1 ora 30 minuti/);
    assert.equal(await dialog.getByRole('button', { name: 'Annulla' }).count(), 1);
    assert.deepEqual(await axeViolations(page), []);
    await screenshot(page, 'approve-dialog-it-360px');
    await dialog.getByRole('button', { name: 'Approva' }).click();
    const done = page.getByTestId('confirmation');
    await done.waitFor();
    assert.match(await done.textContent(), /^Hai approvato questa richiesta\. L'accesso termina alle /);
    await page.locator('.badge', { hasText: 'Approvata' }).first().waitFor();
    await screenshot(page, 'approved-it-360px');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});
