// The provider console (issue 10) and the whole story across both sides:
// an engineer asks, a manager pre-approves, an approver approves on a
// phone, the engineer reads locked content, the approver revokes, and the
// content closes. Against `wrangler dev` with the demo data.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  BASE_URL, DESKTOP, PHONE, SMALL_PHONE, CONTOSO, launch, screenshot, scrollsSideways, signedInPage,
  smallButtons, load, apiSignIn, axeViolations, brokenWords, openPage,
} from './browser.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

async function api(token, method, path, body) {
  const r = await fetch(`${BASE_URL}${path}`, {
    method,
    headers: { 'content-type': 'application/json', cookie: `CF_Authorization=${token}` },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: r.status, body: await r.json() };
}

test('the whole story: ask, pre-approve, approve on a phone, read, revoke, refused', async () => {
  const ticket = `SR-STORY-${Date.now().toString(36)}`;
  const engineer = await signedInPage(browser, DESKTOP, 'engineer1@provider.example');
  const manager = await signedInPage(browser, DESKTOP, 'manager@provider.example');
  const approver = await signedInPage(browser, PHONE, 'approver1@contoso.example');
  try {
    // 1. The engineer lands on their requests and opens a new one.
    await load(engineer.page, '/');
    await engineer.page.getByRole('heading', { name: 'My access requests' }).waitFor();
    assert.equal(new URL(engineer.page.url()).pathname, '/provider/requests');
    const nav = engineer.page.getByRole('navigation', { name: 'Main' });
    assert.deepEqual(await nav.getByRole('link').allTextContents(), ['My requests']);
    await engineer.page.getByText('New request', { exact: true }).click();
    await engineer.page.getByLabel('Customer').selectOption({ label: 'Contoso' });
    await engineer.page.getByLabel('Service').selectOption('mail');
    // The operations needed, content ones marked.
    const statistics = engineer.page.getByRole('checkbox', { name: /^Get-MailboxStatistics/ });
    await statistics.check();
    await engineer.page.getByRole('checkbox', { name: /^Get-MailboxFolderStatistics/ }).check();
    assert.equal(await engineer.page.locator('[data-operation="Get-Message"] .reads-content').count(), 1);
    assert.equal(await engineer.page.locator('[data-operation="Get-MailboxStatistics"] .reads-content').count(), 0);
    await engineer.page.getByLabel('Ticket number').fill(ticket);
    await engineer.page.getByLabel('Reason').fill('The finance mailbox reports a quota error; need its statistics.');
    await engineer.page.getByLabel('Access for').selectOption({ label: '1 hour' });
    await screenshot(engineer.page, 'story-1-new-request-desktop');
    await engineer.page.getByRole('button', { name: 'Send for pre-approval' }).click();
    const sent = engineer.page.getByTestId('confirmation');
    await sent.waitFor();
    assert.match(await sent.textContent(), new RegExp(`Request ${ticket} for Contoso \\(mail\\) is waiting`));
    const row = engineer.page.getByRole('listitem', { name: new RegExp(ticket) });
    await row.waitFor();
    assert.match(await row.textContent(), /Awaiting manager/);
    assert.match(await row.textContent(), /Manager decides within 1[12] h/);
    const id = await row.getAttribute('data-request');
    await screenshot(engineer.page, 'story-1-sent-desktop');

    // Not the customer's yet: approvers do not see it.
    const approverToken = await apiSignIn('approver1@contoso.example');
    assert.equal((await api(approverToken, 'GET', `/api/v1/requests/${id}`)).status, 404);

    // 2. The manager lands on the pre-approvals and pre-approves it.
    await load(manager.page, '/');
    await manager.page.getByRole('heading', { name: 'Requests awaiting pre-approval' }).waitFor();
    assert.equal(new URL(manager.page.url()).pathname, '/provider/preapprovals');
    const card = manager.page.locator(`li[data-request="${id}"]`);
    await card.waitFor();
    assert.match(await card.textContent(), /engineer1@provider\.example/);
    await card.getByLabel('Comment (optional)').fill('Quota errors need the statistics.');
    await card.getByRole('button', { name: 'Pre-approve' }).click();
    const dialog = manager.page.getByRole('dialog', { name: 'Pre-approve this request?' });
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Pre-approve' }).click();
    await manager.page.getByTestId('confirmation').waitFor();
    assert.match(await manager.page.getByTestId('confirmation').textContent(), /waits for Contoso's approvers/);
    await manager.page.locator(`.decided-row[data-request="${id}"]`).waitFor();
    await screenshot(manager.page, 'story-2-preapproved-desktop');

    // 3. The approver finds it first in their list on a phone and approves.
    await load(approver.page, '/');
    await approver.page.getByRole('heading', { name: /^Awaiting your decision/ }).waitFor();
    const awaiting = approver.page.getByRole('list', { name: 'Awaiting your decision' });
    await awaiting.locator(`a[data-request="${id}"]`).click();
    await approver.page.getByRole('heading', { name: `Request ${ticket}` }).waitFor();
    await approver.page.getByRole('button', { name: 'Approve' }).click();
    await approver.page.getByRole('dialog').getByRole('button', { name: 'Approve' }).click();
    await approver.page.getByTestId('confirmation').waitFor();
    assert.equal(await scrollsSideways(approver.page), false);
    assert.deepEqual(await axeViolations(approver.page), []);
    assert.deepEqual(await brokenWords(approver.page), []);
    await screenshot(approver.page, 'story-3-approved-phone');

    // 4. The engineer opens the grant and reads a mailbox's statistics.
    await load(engineer.page, '/provider/requests');
    const approvedRow = engineer.page.locator(`[data-request="${id}"]`);
    await approvedRow.getByRole('link', { name: 'Open grant' }).click();
    await engineer.page.getByRole('heading', { name: 'Grant: Contoso · mail' }).waitFor();
    assert.match(await engineer.page.getByTestId('time-left').textContent(), /Access: (59 min|1 h 00 min)/);
    await engineer.page.getByLabel('Operation').selectOption('Get-MailboxStatistics');
    await engineer.page.getByLabel('Identity').fill('finance@contoso.example');
    await engineer.page.getByRole('button', { name: 'Run Get-MailboxStatistics' }).click();
    const result = engineer.page.getByTestId('operation-result');
    await result.waitFor();
    assert.match(await result.textContent(), /finance@contoso\.example/);
    assert.match(await result.textContent(), /Finance team \(Contoso\)/);
    // Shown as the service described it: the item count as a fact.
    assert.equal(await result.locator('dd[data-label="Items"]').textContent(), '20');
    assert.match(await result.textContent(), /audit record [0-9a-f-]{36}/);
    assert.deepEqual(await axeViolations(engineer.page), []);
    await screenshot(engineer.page, 'story-4-operation-desktop');

    // The customer's log holds that call, tied to the request.
    const log = await api(approverToken, 'GET', '/api/v1/audit?activity=Get-MailboxStatistics&limit=500');
    assert.equal(log.status, 200);
    const record = log.body.items.find((r) => r.details.RequestId === id);
    assert.ok(record, 'no audit record of the operation');
    assert.equal(record.item, 'finance@contoso.example');
    assert.equal(record.details.Engineer, 'engineer1@provider.example');
    assert.equal(record.details.Ticket, ticket);

    // 5. The approver revokes on the phone.
    await load(approver.page, `/support/lockbox-requests/${id}`);
    await approver.page.getByRole('button', { name: 'Revoke access' }).click();
    await approver.page.getByRole('dialog').getByRole('button', { name: 'Revoke' }).click();
    await approver.page.getByTestId('confirmation').waitFor();
    await screenshot(approver.page, 'story-5-revoked-phone');

    // 6. The engineer's next call is refused and the page says access ended.
    await engineer.page.getByRole('button', { name: 'Run Get-MailboxStatistics' }).click();
    const refused = engineer.page.getByRole('alert');
    await refused.waitFor();
    assert.match(await refused.textContent(), /revoked/i);
    const closed = engineer.page.getByTestId('grant-closed');
    await closed.waitFor();
    assert.match(await closed.textContent(), /Access ended: the customer revoked it/);
    assert.equal(await engineer.page.getByRole('button', { name: /^Run / }).count(), 0, 'the forms stay');
    await screenshot(engineer.page, 'story-6-ended-desktop');

    for (const p of [engineer, manager, approver]) {
      assert.deepEqual(p.errors.filter((e) => !/status of 40[34]/.test(e)), []);
    }
  } finally {
    await engineer.context.close();
    await manager.context.close();
    await approver.context.close();
  }
});

test('a manager who is also an engineer gets no Pre-approve button on their own request', async () => {
  const lead = await apiSignIn('lead@provider.example');
  const ticket = `SR-LEAD-${Date.now().toString(36)}`;
  const created = await api(lead, 'POST', '/api/v1/requests', {
    tenant_id: CONTOSO, service: 'files', ticket, reason: 'Own request', duration_minutes: 30,
    operations: ['Get-DriveItemList'],
  });
  assert.equal(created.status, 201);
  const { context, page } = await signedInPage(browser, DESKTOP, 'lead@provider.example');
  try {
    await load(page, '/provider/preapprovals');
    const card = page.locator(`li[data-request="${created.body.id}"]`);
    await card.waitFor();
    assert.match(await card.textContent(), /You opened this request: another support manager decides it/);
    assert.equal(await card.getByRole('button', { name: 'Pre-approve' }).count(), 0);
    const nav = page.getByRole('navigation', { name: 'Main' });
    assert.deepEqual(await nav.getByRole('link').allTextContents(), ['My requests', 'Pre-approvals']);
  } finally {
    await context.close();
  }
});

test('an engineer cancels a pending request', async () => {
  const engineer = await apiSignIn('engineer2@provider.example');
  const ticket = `SR-CANCEL-${Date.now().toString(36)}`;
  const created = await api(engineer, 'POST', '/api/v1/requests', {
    tenant_id: CONTOSO, service: 'sites', ticket, reason: 'To be cancelled', duration_minutes: 15,
    operations: ['Get-Site'],
  });
  const { context, page, errors } = await signedInPage(browser, SMALL_PHONE, 'engineer2@provider.example');
  try {
    await load(page, '/provider/requests');
    const row = page.locator(`[data-request="${created.body.id}"]`);
    await row.getByRole('button', { name: 'Cancel request' }).click();
    const dialog = page.getByRole('dialog', { name: 'Cancel this request?' });
    await dialog.getByLabel('Why (optional)').fill('Solved without access.');
    await dialog.getByRole('button', { name: 'Cancel request' }).click();
    await page.getByTestId('confirmation').waitFor();
    await row.locator('.badge[data-state="Cancelled"]').waitFor();
    assert.equal(await row.getByRole('button', { name: 'Cancel request' }).count(), 0);
    assert.equal(await scrollsSideways(page), false);
    await screenshot(page, 'provider-cancelled-small-phone');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

// Every page, as the person who uses it, at a desktop and at 360 px: axe-core
// finds nothing, nothing scrolls sideways, no address or button label breaks
// inside a word, and buttons are big enough to tap.
const PAGES = [
  ['sign-in', null, '/sign-in', 'Sign in'],
  ['status', null, '/status', 'System status'],
  ['customer-requests', 'approver1@contoso.example', '/support/lockbox-requests', 'Customer Lockbox requests'],
  ['settings', 'admin@contoso.example', '/settings/org-settings/security-privacy', 'Security & Privacy'],
  ['roles', 'admin@contoso.example', '/roles', 'Roles'],
  ['provider-requests', 'engineer1@provider.example', '/provider/requests', 'My access requests'],
  ['preapprovals', 'manager@provider.example', '/provider/preapprovals', 'Requests awaiting pre-approval'],
  ['audit', 'auditor@contoso.example', '/audit', 'Audit log'],
];

for (const [size, viewport] of [['desktop', DESKTOP], ['360px', SMALL_PHONE]]) {
  test(`every page is accessible and holds together (${size})`, async () => {
    const problems = [];
    for (const [name, who, path, heading] of PAGES) {
      const opened = who
        ? await signedInPage(browser, viewport, who)
        : await openPage(browser, viewport);
      const { context, page } = opened;
      try {
        await load(page, path);
        await page.getByRole('heading', { name: heading, exact: true }).waitFor();
        // Wait for the page's data (no "Loading" text left).
        await page.waitForFunction(() => !/Loading/.test(document.querySelector('main').textContent));
        if (name === 'provider-requests') await page.getByText('New request', { exact: true }).click();
        for (const v of await axeViolations(page)) problems.push(`${name}: ${v}`);
        if (await scrollsSideways(page)) problems.push(`${name}: scrolls sideways`);
        for (const w of await brokenWords(page)) problems.push(`${name}: "${w}" breaks across lines`);
        if (size === '360px') for (const b of await smallButtons(page)) problems.push(`${name}: small button ${b}`);
        await screenshot(page, `page-${name}-${size}`);
      } finally {
        await context.close();
      }
    }
    assert.deepEqual(problems, []);
  });
}

test('a grant page with a result is accessible at 360 px', async () => {
  // A live grant for engineer2 on Fabrikam's files, opened through the API.
  const engineer = await apiSignIn('engineer2@provider.example');
  const manager = await apiSignIn('manager@provider.example');
  const admin = await apiSignIn('admin@fabrikam.example');
  const approverF = await apiSignIn('approver@fabrikam.example');
  const created = await api(engineer, 'POST', '/api/v1/requests', {
    tenant_id: '7c0a8f4e-5a1b-4c3d-9e2f-000000000002', service: 'files',
    ticket: `SR-A11Y-${Date.now().toString(36)}`, reason: 'Accessibility check', duration_minutes: 15,
    operations: ['Get-DriveItemList', 'Get-DriveItem'],
  });
  const id = created.body.id;
  assert.equal((await api(manager, 'POST', `/api/v1/requests/${id}/preapprove`, {})).status, 200);
  const pending = await api(admin, 'GET', `/api/v1/requests/${id}`);
  if (pending.body.state === 'PendingCustomerApproval') {
    assert.equal((await api(approverF, 'POST', `/api/v1/requests/${id}/approve`, {})).status, 200);
  }
  const { context, page, errors } = await signedInPage(browser, SMALL_PHONE, 'engineer2@provider.example');
  try {
    await load(page, `/provider/grants/${id}`);
    await page.getByRole('heading', { name: /^Grant: Fabrikam/ }).waitFor();
    await page.getByLabel('Path (optional)').fill('/Documents');
    await page.getByRole('button', { name: 'Run Get-DriveItemList' }).click();
    await page.getByTestId('operation-result').waitFor();
    assert.match(await page.getByTestId('operation-result').textContent(), /In \/Documents/);
    assert.doesNotMatch(await page.getByTestId('operation-result').textContent(), /Contoso/);
    assert.deepEqual(await axeViolations(page), []);
    assert.equal(await scrollsSideways(page), false);
    assert.deepEqual(await brokenWords(page), []);
    await screenshot(page, 'grant-result-360px');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});
