// What a new user hit (issue 22): text that widened a phone's page and
// pushed the decision off-screen, feedback out of sight, what was done
// under a grant out of the approver's view, dangerous changes without a
// word of warning, results in tables wider than a phone. One test per
// behaviour, at the size where it went wrong.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  BASE_URL, CONTOSO, DESKTOP, PHONE, SMALL_PHONE, launch, screenshot, scrollsSideways, signedInPage,
  load, apiSignIn, apiPost, smallButtons, brokenWords,
} from './browser.mjs';

const FABRIKAM = '7c0a8f4e-5a1b-4c3d-9e2f-000000000002';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const ticketOf = (tag) => `SR-${tag}-${Date.now().toString(36)}`;

// Opens a request as engineer1 with `reason`; `preapprove` has the manager
// pre-approve it (pending for the customer). Returns { id, ticket }.
async function openRequest(reason, { preapprove = true, tenant = CONTOSO, minutes = 60 } = {}) {
  const engineer = await apiSignIn('engineer1@provider.example');
  const ticket = ticketOf('NEW');
  const created = await apiPost(engineer, '/api/v1/requests', {
    tenant_id: tenant, service: 'mail', ticket, reason, duration_minutes: minutes,
    operations: ['Get-Mailbox', 'Get-MailboxStatistics', 'Get-Message'],
  });
  if (preapprove) {
    const manager = await apiSignIn('manager@provider.example');
    await apiPost(manager, `/api/v1/requests/${created.id}/preapprove`, { comment: 'Checked' });
  }
  return { id: created.id, ticket };
}

// Every button of the open dialog lies inside the visual viewport, and a
// tap at its centre reaches it (nothing covers it).
async function dialogButtonsReachable(page) {
  return page.evaluate(() => {
    const dialog = document.querySelector('dialog[open]');
    if (!dialog) return ['no open dialog'];
    const vw = window.visualViewport?.width ?? window.innerWidth;
    const vh = window.visualViewport?.height ?? window.innerHeight;
    return [...dialog.querySelectorAll('button')].flatMap((b) => {
      const r = b.getBoundingClientRect();
      const inside = r.left >= 0 && r.top >= 0 && r.right <= vw && r.bottom <= vh;
      const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
      const reachable = hit === b || b.contains(hit);
      return inside && reachable ? [] : [`${b.textContent.trim()}: ${Math.round(r.left)},${Math.round(r.top)}–${Math.round(r.right)},${Math.round(r.bottom)} in ${vw}×${vh}${reachable ? '' : ', covered'}`];
    });
  });
}

const LONG_WORD = 'x'.repeat(300);
const LONG_URL = `https://support.provider.example/tickets/${'a1b2c3d4'.repeat(20)}?view=full`;

test('no engineer text widens a phone page or pushes a dialog off-screen (approver and manager, 360 px)', async () => {
  const word = await openRequest(`Customer says ${LONG_WORD} fails to open`);
  const url = await openRequest(`See ${LONG_URL} for the logs`, { preapprove: false });
  const approver = await signedInPage(browser, SMALL_PHONE, 'approver1@contoso.example');
  const manager = await signedInPage(browser, SMALL_PHONE, 'manager@provider.example');
  try {
    const { page } = approver;
    // On a phone the list starts in the first third of the screen (the
    // header's navigation is one row).
    await page.setViewportSize(PHONE);
    await load(page, '/support/lockbox-requests');
    const row = page.locator(`a[data-request="${word.id}"]`);
    await row.waitFor();
    const top = await page.locator('a.request-row').first().evaluate((el) => el.getBoundingClientRect().top);
    const firstThird = await page.evaluate(() => window.innerHeight / 3);
    assert.ok(top < firstThird, `the list starts at ${top} px`);
    await screenshot(page, 'list-top-phone');
    await page.setViewportSize(SMALL_PHONE);
    assert.equal(await scrollsSideways(page), false, 'the list scrolls sideways');
    // A ticket id never breaks at its hyphens in a card.
    assert.equal(await row.locator('.ticket').evaluate((el) => el.getClientRects().length), 1);
    await screenshot(page, 'long-text-list-small-phone');

    await load(page, `/support/lockbox-requests/${word.id}`);
    await page.getByRole('heading', { name: `Request ${word.ticket}` }).waitFor();
    assert.equal(await scrollsSideways(page), false, 'the request page scrolls sideways');
    await page.getByRole('button', { name: 'Approve' }).click();
    const approve = page.getByRole('dialog', { name: 'Approve this request?' });
    await approve.waitFor();
    assert.deepEqual(await dialogButtonsReachable(page), []);
    await screenshot(page, 'long-text-approve-dialog-small-phone');
    await approve.getByRole('button', { name: 'Approve' }).click();
    await page.getByTestId('confirmation').waitFor();
    // Focus follows the decision to its result.
    await page.waitForFunction(() => document.activeElement?.dataset.testid === 'confirmation');
    await page.getByRole('button', { name: 'Revoke access' }).click();
    const revoke = page.getByRole('dialog', { name: 'Revoke this access now?' });
    await revoke.waitFor();
    // It says what access remains afterwards.
    await revoke.getByText(/loses access to this content immediately; no access remains/).waitFor();
    assert.deepEqual(await dialogButtonsReachable(page), []);
    assert.equal(await scrollsSideways(page), false, 'the approved page scrolls sideways');
    // The revocation's comment reaches the record.
    await revoke.getByLabel('Comment (optional)').fill('Done for today, thanks');
    await revoke.getByRole('button', { name: 'Revoke' }).click();
    await page.locator('.badge[data-state="Revoked"]').first().waitFor();
    await page.locator('.history').getByText('Done for today, thanks').first().waitFor();
    // Once decided, the request no longer shows when it would have expired.
    assert.equal(await page.locator('.facts dt', { hasText: /^Expires$/ }).count(), 0);
    assert.deepEqual(approver.errors, []);

    await load(manager.page, '/provider/preapprovals');
    const card = manager.page.locator(`li[data-request="${url.id}"]`);
    await card.waitFor();
    assert.equal(await scrollsSideways(manager.page), false, 'the pre-approvals page scrolls sideways');
    await card.getByRole('button', { name: 'Pre-approve' }).click();
    const pre = manager.page.getByRole('dialog', { name: 'Pre-approve this request?' });
    await pre.waitFor();
    assert.deepEqual(await dialogButtonsReachable(manager.page), []);
    await screenshot(manager.page, 'long-url-preapprove-dialog-small-phone');
    await pre.getByRole('button', { name: 'Cancel' }).click();
    // Each card's buttons stay under their own request, never over the
    // comment box they belong to.
    const position = await card.locator('.decision-buttons').evaluate((el) => getComputedStyle(el).position);
    assert.equal(position, 'static');
    assert.deepEqual(await smallButtons(manager.page), [], 'buttons under 44 px');
    assert.deepEqual(manager.errors, []);
  } finally {
    await approver.context.close();
    await manager.context.close();
  }
});

test('the new-request form says what is wrong next to each field, keeps what was typed and never cuts the reason (phone)', async () => {
  const { context, page, errors } = await signedInPage(browser, PHONE, 'engineer1@provider.example');
  try {
    await load(page, '/provider/requests');
    await page.locator('summary', { hasText: 'New request' }).click();
    const send = page.getByRole('button', { name: 'Send for pre-approval' });
    await send.click();
    // Focus moves to the first field in error; its error stands under it.
    await page.waitForFunction(() => document.activeElement?.id === 'new-tenant');
    await page.getByTestId('new-tenant-error').getByText('Choose the customer.').waitFor();
    await page.getByLabel('Customer').selectOption({ label: 'Contoso' });
    await page.getByLabel('Service').selectOption('mail');
    await page.getByRole('checkbox', { name: /^Get-MailboxStatistics/ }).check();
    await page.getByLabel('Ticket number').fill('not a ticket!');
    const reason = 'r'.repeat(1001);
    await page.getByLabel('Reason').fill(reason);
    await page.getByTestId('reason-count').getByText('1001 of 1000 characters').waitFor();
    await send.click();
    await page.waitForFunction(() => document.activeElement?.id === 'new-ticket');
    await page.getByTestId('new-ticket-error').getByText(/ticket number must be/).waitFor();
    await page.getByTestId('new-reason-error').getByText('The reason can be at most 1000 characters.').waitFor();
    // Nothing was cut.
    assert.equal((await page.getByLabel('Reason').inputValue()).length, 1001);
    assert.equal(await page.getByTestId('new-tenant-error').isVisible(), false, 'a fixed field keeps its error');
    await screenshot(page, 'new-request-errors-phone');
    const ticket = ticketOf('FORM');
    await page.getByLabel('Ticket number').fill(ticket);
    await page.getByLabel('Reason').fill('Mail flow to the finance mailbox stops at night.');
    await send.click();
    await page.getByTestId('confirmation').getByText(`Request ${ticket} for Contoso (mail)`).waitFor();
    await page.waitForFunction(() => document.activeElement?.dataset.testid === 'confirmation');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('what the engineer did under a grant shows on the request page on both sides, refused calls too, and leads into the audit log', async () => {
  const { id, ticket } = await openRequest('Mailbox statistics look wrong.');
  const approverToken = await apiSignIn('approver2@contoso.example');
  await apiPost(approverToken, `/api/v1/requests/${id}/approve`, {});
  const engineerToken = await apiSignIn('engineer1@provider.example');
  const run = (op, body) => fetch(`${BASE_URL}/api/v1/tenants/${CONTOSO}/services/mail/operations/${op}?request_id=${id}`, {
    method: 'POST', headers: { 'content-type': 'application/json', cookie: `CF_Authorization=${engineerToken}` },
    body: JSON.stringify(body),
  });
  assert.equal((await run('Get-MailboxStatistics', { Identity: 'finance@contoso.example' })).status, 200);
  await apiPost(approverToken, `/api/v1/requests/${id}/revoke`, { comment: 'Enough' });
  assert.equal((await run('Get-Mailbox', {})).status, 403, 'refused once revoked');

  const customer = await signedInPage(browser, PHONE, 'approver1@contoso.example');
  const engineer = await signedInPage(browser, DESKTOP, 'engineer1@provider.example');
  try {
    await load(customer.page, `/support/lockbox-requests/${id}`);
    const actions = customer.page.getByTestId('action');
    await actions.first().waitFor();
    assert.equal(await actions.count(), 2);
    assert.match(await actions.nth(0).textContent(), /Get-MailboxStatistics.*finance@contoso\.example.*Succeeded/s);
    assert.match(await actions.nth(1).textContent(), /Get-Mailbox.*Refused/s);
    assert.equal(await actions.nth(1).getAttribute('data-outcome'), 'Refused');
    assert.equal(await scrollsSideways(customer.page), false);
    await screenshot(customer.page, 'grant-actions-phone');
    // Each leads to its record in the audit log, opened.
    const link = actions.nth(0).getByRole('link', { name: /Audit record #\d+/ });
    const seq = (await link.textContent()).match(/#(\d+)/)[1];
    await link.click();
    await customer.page.getByRole('heading', { name: 'Audit log', exact: true }).waitFor();
    const opened = customer.page.locator(`li[data-seq="${seq}"] details[open]`);
    await opened.waitFor();
    assert.match(await opened.textContent(), /Get-MailboxStatistics/);
    assert.equal(await customer.page.getByLabel('Request ID or ticket').inputValue(), id);
    assert.deepEqual(customer.errors.filter((e) => !/status of 403/.test(e)), []);

    await load(engineer.page, `/provider/requests/${id}`);
    await engineer.page.getByTestId('action').first().waitFor();
    assert.equal(await engineer.page.getByTestId('action').count(), 2);
    // Provider staff have no audit log to follow a record into.
    assert.equal(await engineer.page.getByTestId('action').getByRole('link').count(), 0);
    await screenshot(engineer.page, 'grant-actions-desktop');
    assert.deepEqual(engineer.errors, []);
  } finally {
    await customer.context.close();
    await engineer.context.close();
  }
});

test('the audit search narrows to a ticket, names its zone and what is picked, explains its users, and a refused search clears old results', async () => {
  const { ticket } = await openRequest('Search by ticket.');
  const { context, page, errors } = await signedInPage(browser, DESKTOP, 'auditor@contoso.example');
  try {
    await load(page, '/audit');
    await page.getByTestId('audit-count').waitFor();
    assert.match(await page.locator('label[for="audit-start"]').textContent(), /^Start \(.+\)$/);
    assert.match(await page.locator('#audit-users-hint').textContent(), /Lockbox service account.*Operator/s);
    await page.getByLabel('Activities').selectOption(['New-AccessToCustomerDataRequest', 'PreApprove-AccessToCustomerDataRequest']);
    await page.getByTestId('activities-picked').getByText(/Chosen \(2\): New-AccessToCustomerDataRequest, PreApprove-AccessToCustomerDataRequest/).waitFor();
    await page.getByLabel('Request ID or ticket').fill(ticket);
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForFunction(() => /^2 records/.test(document.querySelector('[data-testid=audit-count]')?.textContent ?? ''));
    await screenshot(page, 'audit-by-ticket-desktop');
    // A search the page refuses leaves no results that would read as its own.
    await page.getByLabel(/^Start/).fill('2030-01-01T00:00');
    await page.getByLabel(/^End/).fill('2029-01-01T00:00');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByText('The start must be before the end.').waitFor();
    assert.equal(await page.locator('.audit-record').count(), 0);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('dangerous changes are guarded: removing a role says what follows, approvals cannot exceed the approvers, an approver learns who can freeze', async () => {
  const admin = await signedInPage(browser, DESKTOP, 'admin@contoso.example');
  const fabrikam = await signedInPage(browser, DESKTOP, 'admin@fabrikam.example');
  const approver = await signedInPage(browser, PHONE, 'approver1@contoso.example');
  try {
    await load(admin.page, '/roles');
    await admin.page.getByRole('button', { name: 'Remove auditor@contoso.example' }).click();
    const dialog = admin.page.getByRole('dialog', { name: 'Remove Auditor?' });
    await dialog.getByText('auditor@contoso.example can no longer search or export your audit log.').waitFor();
    await screenshot(admin.page, 'remove-role-confirm-desktop');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    // Cancelled: nothing changed.
    await admin.page.getByRole('button', { name: 'Remove auditor@contoso.example' }).waitFor();

    // Fabrikam has two people who can approve: three approvals could never be given.
    await load(fabrikam.page, '/settings/org-settings/security-privacy');
    await fabrikam.page.getByTestId('able-to-approve').getByText(/^2 people at your organisation can approve/).waitFor();
    const three = fabrikam.page.locator('#approvals-required option[value="3"]');
    assert.equal(await three.isDisabled(), true);
    assert.match(await three.textContent(), /only 2 can approve/);

    await load(approver.page, '/settings/org-settings/security-privacy');
    await approver.page.getByTestId('freeze-read-only').getByText(/Only a global admin can revoke all access/).waitFor();
    assert.equal(await approver.page.getByRole('button', { name: 'Revoke all access now' }).count(), 0);
    await screenshot(approver.page, 'freeze-read-only-phone');
    for (const opened of [admin, fabrikam, approver]) assert.deepEqual(opened.errors, []);
  } finally {
    await admin.context.close();
    await fabrikam.context.close();
    await approver.context.close();
  }
});

test('operation results read as stacked rows on a phone', async () => {
  const { id } = await openRequest('List the mailboxes.');
  const approverToken = await apiSignIn('approver2@contoso.example');
  await apiPost(approverToken, `/api/v1/requests/${id}/approve`, {});
  const { context, page, errors } = await signedInPage(browser, SMALL_PHONE, 'engineer1@provider.example');
  try {
    await load(page, `/provider/grants/${id}`);
    await page.getByLabel('Operation').selectOption('Get-Mailbox');
    await page.getByRole('button', { name: 'Run Get-Mailbox' }).click();
    const table = page.locator('table.stack');
    await table.waitFor();
    const cell = table.locator('tbody td').first();
    assert.equal(await cell.evaluate((td) => getComputedStyle(td).display), 'grid');
    assert.equal(await cell.evaluate((td) => getComputedStyle(td, '::before').content), '"Address"');
    assert.equal(await scrollsSideways(page), false, 'the result scrolls sideways');
    assert.deepEqual(await brokenWords(page), []);
    await screenshot(page, 'results-stacked-small-phone');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('a failed webhook delivery names the endpoint by its address, says why in words and when it is tried next', async () => {
  // A port nothing listens on: the delivery is refused.
  const { createServer } = await import('node:net');
  const port = await new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); });
  });
  const url = `http://127.0.0.1:${port}/hook-${Date.now()}`;
  const adminToken = await apiSignIn('admin@fabrikam.example');
  // A pre-approval raises one of these, whichever way Fabrikam's switch
  // stands when this runs (other tests flip it).
  const endpoint = await apiPost(adminToken, '/api/v1/settings/notifications/webhooks', { url, events: ['request.pending', 'grant.started'] });
  const { context, page, errors } = await signedInPage(browser, DESKTOP, 'admin@fabrikam.example');
  try {
    await openRequest('Webhook delivery check.', { tenant: FABRIKAM });
    let failure;
    for (let i = 0; i < 40 && !failure; i++) {
      await load(page, '/settings/org-settings/notifications');
      const row = page.getByTestId('delivery').filter({ hasText: url }).filter({ has: page.getByTestId('delivery-failure') });
      if (await row.count() > 0) failure = row.first();
      else await new Promise((r) => setTimeout(r, 500));
    }
    assert.ok(failure, 'no failed delivery shown');
    const text = await failure.textContent();
    assert.match(text, /Webhook to http:\/\/127\.0\.0\.1/);
    assert.match(text, /connection refused/);
    assert.match(text, /Next try at/);
    await screenshot(page, 'webhook-failure-desktop');
    assert.deepEqual(errors, []);
  } finally {
    await fetch(`${BASE_URL}/api/v1/settings/notifications/webhooks/${endpoint.id}`, {
      method: 'DELETE', headers: { cookie: `CF_Authorization=${adminToken}` },
    });
    await context.close();
  }
});
