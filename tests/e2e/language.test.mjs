// Italian and English (issue 25): the language follows the browser unless
// the person chose one in the header; <html lang> always matches.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  BASE_URL, DESKTOP, SMALL_PHONE, launch, screenshot, scrollsSideways, signedInPage, openPage, load,
  createPendingRequest, axeViolations, brokenWords, apiSignIn, apiPost,
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
    // The switch was kept with the person: leave them with no choice.
    await apiPost(await apiSignIn('approver1@contoso.example'), '/api/v1/me/language', { language: null });
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

// Every other page in Italian, at a desktop's width and a small phone's:
// its Italian heading, <html lang="it">, no sideways scroll, no broken
// word, axe clean, a screenshot. One browser per person and size; the
// problems of all pages are reported together.
const SIZES = [['desktop', DESKTOP], ['360px', SMALL_PHONE]];

// The page once its data is in (no loading or working sentence left).
async function settled(page) {
  await page.waitForFunction(
    () => !/Caricamento|in corso…/.test(document.querySelector('main')?.textContent ?? 'Caricamento'),
    null, { timeout: 15_000 },
  );
}

// Checks the page as it is now; what is wrong goes to `problems`.
async function checkItalian(page, name, size, heading, problems) {
  await page.getByRole('heading', { level: 1, name: heading, exact: true }).waitFor();
  await settled(page);
  const lang = await page.locator('html').getAttribute('lang');
  if (lang !== 'it') problems.push(`${name} (${size}): html lang is ${lang}`);
  if (await scrollsSideways(page)) problems.push(`${name} (${size}): scrolls sideways`);
  for (const w of await brokenWords(page)) problems.push(`${name} (${size}): "${w}" breaks across lines`);
  for (const v of await axeViolations(page)) problems.push(`${name} (${size}): ${v}`);
  await screenshot(page, `${name}-it-${size}`);
}

// A browser in Italian signed in as `email`, whose own choice (if a test
// left one) is cleared so the browser's language applies.
async function italianFor(viewport, email) {
  await apiPost(await apiSignIn(email), '/api/v1/me/language', { language: null });
  return signedInPage(browser, viewport, email, 'it-IT');
}

test("a customer's admin pages read in Italian at desktop and 360 px", async () => {
  const pages = [
    ['security-privacy', '/settings/org-settings/security-privacy', 'Sicurezza e privacy',
      (page) => page.getByRole('heading', { name: 'Revoca subito tutti gli accessi' }).waitFor()],
    ['audit', '/audit', 'Ricerca log di controllo', async (page) => {
      await page.getByTestId('audit-count').filter({ hasText: /^\d+ record/ }).waitFor();
      assert.match(await page.locator('label[for="audit-start"]').textContent(), /^Data inizio \(.+\)$/);
      await page.getByRole('button', { name: 'Cerca', exact: true }).waitFor();
    }],
    ['roles', '/roles', 'Ruoli',
      (page) => page.getByRole('heading', { name: 'Responsabile approvazione accesso Customer Lockbox' }).waitFor()],
    ['notifications', '/settings/org-settings/notifications', 'Notifiche',
      (page) => page.getByRole('heading', { name: 'Messaggi recenti' }).waitFor()],
  ];
  const problems = [];
  for (const [size, viewport] of SIZES) {
    const { context, page, errors } = await italianFor(viewport, 'admin@contoso.example');
    try {
      for (const [name, path, heading, ready] of pages) {
        await load(page, path);
        await page.getByRole('heading', { level: 1, name: heading, exact: true }).waitFor();
        await ready(page);
        await checkItalian(page, name, size, heading, problems);
      }
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  }
  assert.deepEqual(problems, []);
});

// A live grant of Contoso's mail for engineer1, approved by as many of
// Contoso's approvers as it needs (none when its Customer Lockbox is off).
async function liveGrant() {
  const { id } = await createPendingRequest(30);
  for (const email of ['approver1@contoso.example', 'approver2@contoso.example']) {
    const token = await apiSignIn(email);
    const answer = await fetch(`${BASE_URL}/api/v1/requests/${id}`, { headers: { cookie: `CF_Authorization=${token}` } });
    if ((await answer.json()).state !== 'PendingCustomerApproval') break;
    await apiPost(token, `/api/v1/requests/${id}/approve`, {});
  }
  return id;
}

test('the provider console reads in Italian at desktop and 360 px', async () => {
  const grant = await liveGrant();
  const pages = [
    ['provider-requests', 'engineer1@provider.example', '/provider/requests', 'Le mie richieste di accesso', async (page) => {
      await page.getByText('Nuova richiesta', { exact: true }).click();
      await page.getByRole('button', { name: 'Invia per la pre-approvazione' }).waitFor();
    }],
    ['grant', 'engineer1@provider.example', `/provider/grants/${grant}`, 'Accesso concesso: Contoso · mail',
      (page) => page.getByRole('button', { name: /^Esegui / }).waitFor()],
    ['preapprovals', 'manager@provider.example', '/provider/preapprovals', 'Richieste in attesa di pre-approvazione',
      (page) => page.getByRole('heading', { name: 'Decise da te' }).waitFor()],
    ['provider-services', 'integrations@provider.example', '/provider/services', 'Servizi',
      (page) => page.getByRole('heading', { name: 'Log del fornitore' }).waitFor()],
  ];
  const problems = [];
  for (const [size, viewport] of SIZES) {
    for (const [name, who, path, heading, ready] of pages) {
      const { context, page, errors } = await italianFor(viewport, who);
      try {
        await load(page, path);
        await page.getByRole('heading', { level: 1, name: heading, exact: true }).waitFor();
        await ready(page);
        await checkItalian(page, name, size, heading, problems);
        assert.deepEqual(errors, []);
      } finally {
        await context.close();
      }
    }
  }
  assert.deepEqual(problems, []);
});

test('sign-in, status, a missing page and the outbox read in Italian at desktop and 360 px', async () => {
  const pages = [
    ['sign-in', '/sign-in', 'Accedi',
      (page) => page.getByText('Sviluppo locale: scegli chi essere.', { exact: false }).waitFor()],
    ['status', '/status', 'Stato del sistema', async (page) => {
      await page.getByTestId('health-database').waitFor();
      assert.equal(await page.getByTestId('health-service').textContent(), 'In funzione');
      assert.equal(await page.getByTestId('health-database').textContent(), 'Risponde');
    }],
    ['not-found', '/nessuna-pagina', 'Pagina non trovata',
      (page) => page.getByRole('link', { name: 'Vai alla pagina iniziale' }).waitFor()],
    ['outbox', '/dev/outbox', 'Posta in uscita (sviluppo locale)',
      (page) => page.getByTestId('outbox-message').first().waitFor()],
  ];
  const problems = [];
  for (const [size, viewport] of SIZES) {
    const { context, page, errors } = await openPage(browser, viewport, 'it-IT');
    try {
      for (const [name, path, heading, ready] of pages) {
        await load(page, path);
        await page.getByRole('heading', { level: 1, name: heading, exact: true }).waitFor();
        await ready(page);
        // Signed out, the header offers the sign-in in Italian too.
        await page.getByRole('link', { name: 'Accedi', exact: true }).waitFor();
        await checkItalian(page, name, size, heading, problems);
      }
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  }
  assert.deepEqual(problems, []);
});
