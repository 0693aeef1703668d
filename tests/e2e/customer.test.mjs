// The customer admin pages (issue 5) in headless Chromium, at desktop and
// phone sizes, against `wrangler dev` with the demo data.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  BASE_URL, DESKTOP, PHONE, SMALL_PHONE, launch, screenshot, scrollsSideways, createPendingRequest,
  signedInPage, smallButtons, load, apiPost, apiSignIn, CONTOSO,
} from './browser.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

for (const [size, viewport] of [['desktop', DESKTOP], ['phone', PHONE]]) {
  test(`an approver finds a pending request, approves it and sees the time left (${size})`, async () => {
    const { id, ticket } = await createPendingRequest(90);
    const { context, page, errors } = await signedInPage(browser, viewport, 'approver1@contoso.example');
    try {
      await load(page, `/support/lockbox-requests`);
      const row = page.locator(`a[data-request="${id}"]`);
      await row.waitFor();
      assert.match(await row.textContent(), /Pending/);
      assert.match(await row.textContent(), /Expires in (11|12) h/);
      assert.equal(await scrollsSideways(page), false, 'the list scrolls sideways');
      await screenshot(page, `requests-list-${size}`);

      await row.click();
      await page.getByRole('heading', { name: `Request ${ticket}` }).waitFor();
      assert.deepEqual(await smallButtons(page), [], 'buttons under 44 px');

      // The dialog traps focus and closes with Escape.
      await page.getByRole('button', { name: 'Approve' }).click();
      const dialog = page.getByRole('dialog', { name: 'Approve this request?' });
      await dialog.waitFor();
      assert.equal(await page.evaluate(() => document.activeElement?.closest('dialog') !== null), true);
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'hidden' });

      await page.getByRole('button', { name: 'Approve' }).click();
      await dialog.getByRole('button', { name: 'Approve' }).click();
      const confirmation = page.getByTestId('confirmation');
      await confirmation.waitFor();
      assert.match(await confirmation.textContent(), /You approved this request\. Access ends at/);
      await page.locator('.badge[data-state="Approved"]').first().waitFor();
      const deadline = page.getByTestId('deadline');
      assert.match(await deadline.textContent(), /Access: 1 h (29|30) min left/);
      // The countdown moves on its own.
      const first = await deadline.textContent();
      await page.waitForFunction((t) => document.querySelector('[data-testid=deadline]').textContent !== t, first);
      await page.getByRole('button', { name: 'Revoke access' }).waitFor();
      // The decision's signed receipt is one tap away.
      const receipt = page.getByTestId('receipt');
      await receipt.waitFor();
      const note = await page.evaluate(async (href) => (await fetch(href)).text(), await receipt.getAttribute('href'));
      assert.match(note, /"type": "lockbox-decision-receipt\/v2"/);
      assert.ok(note.includes(id), note);
      assert.match(note, /\n\n— /);
      assert.equal(await scrollsSideways(page), false, 'the details scroll sideways');
      await screenshot(page, `approved-${size}`);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
}

test('an approver on a phone grants less than was asked', async () => {
  const { id } = await createPendingRequest(90);
  const { context, page, errors } = await signedInPage(browser, PHONE, 'approver2@contoso.example');
  try {
    await load(page, `/support/lockbox-requests/${id}`);
    await page.getByRole('button', { name: 'Approve' }).click();
    const dialog = page.getByRole('dialog', { name: 'Approve this request?' });
    const length = dialog.getByLabel('Access for');
    await length.waitFor();
    assert.equal(await length.inputValue(), '90', 'what was asked is the default');
    await length.selectOption('30');
    await dialog.getByText('for 30 minutes, starting now').waitFor();
    assert.deepEqual(await smallButtons(page), [], 'buttons under 44 px');
    await screenshot(page, 'approve-shorter-phone');
    await dialog.getByRole('button', { name: 'Approve' }).click();
    await page.getByTestId('confirmation').waitFor();
    // The page reloads the request after the answer.
    await page.locator('.badge[data-state="Approved"]').first().waitFor();
    assert.match(await page.getByTestId('deadline').textContent(), /Access: (29|30) min/);
    await page.getByText('30 minutes (less than asked)').waitFor();
    const history = page.locator('.history');
    // In words, with the record's own name one link away.
    await history.locator('strong', { hasText: /^Approved$/ }).waitFor();
    await history.getByRole('link', { name: /Set-AccessToCustomerDataRequest/ }).first().waitFor();
    assert.match(await history.textContent(), /Minutes granted\s*30/);
    assert.equal(await scrollsSideways(page), false, 'the page scrolls sideways');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

for (const [size, viewport] of [['desktop', DESKTOP], ['small-phone', SMALL_PHONE]]) {
  test(`an approver allows only some of the operations asked, content ones marked (${size})`, async () => {
    const { id } = await createPendingRequest(60);
    const { context, page, errors } = await signedInPage(browser, viewport, 'approver1@contoso.example');
    try {
      await load(page, `/support/lockbox-requests/${id}`);
      await page.getByTestId('operations-asked').getByText('Get-Message').waitFor();
      await page.getByRole('button', { name: 'Approve' }).click();
      const dialog = page.getByRole('dialog', { name: 'Approve this request?' });
      const choice = dialog.getByRole('group', { name: 'Operations allowed' });
      await choice.waitFor();
      // Pre-ticked with what was asked; the one that reads content is marked.
      const boxes = choice.getByRole('checkbox');
      assert.equal(await boxes.count(), 3);
      for (const box of await boxes.all()) assert.equal(await box.isChecked(), true);
      assert.equal(await choice.locator('[data-operation="Get-Message"] .reads-content').count(), 1);
      assert.equal(await choice.locator('[data-operation="Get-Mailbox"] .reads-content').count(), 0);
      // Nothing ticked is not an approval: the dialog says so and stays.
      for (const box of await boxes.all()) await box.uncheck();
      await dialog.getByRole('button', { name: 'Approve' }).click();
      await dialog.getByText('Allow at least one operation, or deny the request.').waitFor();
      await choice.getByRole('checkbox', { name: /^Get-Mailbox/ }).first().check();
      await choice.getByRole('checkbox', { name: /^Get-MailboxStatistics/ }).check();
      assert.deepEqual(await smallButtons(page), [], 'buttons under 44 px');
      assert.equal(await scrollsSideways(page), false, 'the dialog scrolls sideways');
      await screenshot(page, `approve-some-operations-${size}`);
      await dialog.getByRole('button', { name: 'Approve' }).click();
      await page.getByTestId('confirmation').waitFor();
      await page.locator('.badge[data-state="Approved"]').first().waitFor();
      assert.equal(
        (await page.getByTestId('operations-allowed').textContent()).trim(),
        'Get-Mailbox, Get-MailboxStatistics',
      );
      assert.match(await page.locator('.history').textContent(), /Get-Mailbox, Get-MailboxStatistics/);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
}

test('an approver denies with a comment and the history records it', async () => {
  const { id } = await createPendingRequest(30);
  const { context, page, errors } = await signedInPage(browser, DESKTOP, 'approver2@contoso.example');
  try {
    await load(page, `/support/lockbox-requests/${id}`);
    await page.getByLabel('Comment (optional)').fill('Not during the quarter close.');
    await page.getByRole('button', { name: 'Deny' }).click();
    const dialog = page.getByRole('dialog', { name: 'Deny this request?' });
    await dialog.getByText('Comment: Not during the quarter close.').waitFor();
    await dialog.getByRole('button', { name: 'Deny' }).click();
    await page.getByTestId('confirmation').waitFor();
    assert.match(await page.getByTestId('confirmation').textContent(), /You denied this request/);
    await page.locator('.badge[data-state="Denied"]').first().waitFor();
    const history = page.locator('.history');
    await history.locator('strong', { hasText: /^Denied$/ }).waitFor();
    assert.match(await history.textContent(), /Decision\s*Deny/);
    assert.match(await history.textContent(), /Not during the quarter close\./);
    await screenshot(page, 'denied-desktop');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('a second approver who decides later gets a clear "already dealt with" message', async () => {
  const { id } = await createPendingRequest(30);
  const first = await signedInPage(browser, PHONE, 'approver1@contoso.example');
  const second = await signedInPage(browser, DESKTOP, 'approver2@contoso.example');
  try {
    await load(first.page, `/support/lockbox-requests/${id}`);
    await load(second.page, `/support/lockbox-requests/${id}`);
    await first.page.getByRole('button', { name: 'Approve' }).waitFor();
    await second.page.getByRole('button', { name: 'Approve' }).click();
    await second.page.getByRole('dialog').getByRole('button', { name: 'Approve' }).click();
    await second.page.getByTestId('confirmation').waitFor();

    // The first still shows the old page and tries to deny.
    await first.page.getByRole('button', { name: 'Deny' }).click();
    await first.page.getByRole('dialog').getByRole('button', { name: 'Deny' }).click();
    const changed = first.page.getByTestId('changed');
    await changed.waitFor();
    assert.match(await changed.textContent(), /already been dealt with: it is now Approved/);
    await first.page.locator('.badge[data-state="Approved"]').first().waitFor();
    await screenshot(first.page, 'already-decided-phone');
    assert.deepEqual(first.errors.filter((e) => !/status of 409/.test(e)), []);
  } finally {
    await first.context.close();
    await second.context.close();
  }
});

test('a global admin turns Customer Lockbox off and on again', async () => {
  const { context, page, errors } = await signedInPage(browser, DESKTOP, 'admin@contoso.example');
  try {
    await load(page, `/settings/org-settings/security-privacy`);
    const state = page.getByTestId('lockbox-state');
    await state.waitFor();
    assert.equal(await state.textContent(), 'On');
    for (const [wanted, label] of [[false, 'Off'], [true, 'On']]) {
      await page.getByRole('button', { name: 'Edit' }).click();
      const toggle = page.getByRole('switch', { name: 'Require approval for all data access requests' });
      // Keyboard users continue from the switch itself.
      await page.waitForFunction(() => document.activeElement?.getAttribute('role') === 'switch');
      if (wanted) await toggle.check(); else await toggle.uncheck();
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      if (!wanted) {
        // Off takes the customer out of every decision: confirmed first.
        const dialog = page.getByRole('dialog', { name: 'Turn Customer Lockbox off?' });
        await dialog.getByText(/granted at once: nobody at your organisation is asked/).waitFor();
        await screenshot(page, 'lockbox-off-confirm-desktop');
        await dialog.getByRole('button', { name: 'Turn off' }).click();
      }
      await page.getByTestId('confirmation').waitFor();
      // Focus follows to the result.
      await page.waitForFunction(() => document.activeElement?.dataset.testid === 'confirmation');
      await page.waitForFunction((l) => document.querySelector('[data-testid=lockbox-state]')?.textContent === l, label);
      assert.match(await page.locator('article[aria-labelledby="lockbox-title"]').textContent(), /Last changed by admin@contoso\.example/);
      await screenshot(page, `lockbox-${label.toLowerCase()}-desktop`);
    }
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('an auditor sees the requests read-only and the audit log, nothing else', async () => {
  const { id } = await createPendingRequest(30);
  const { context, page } = await signedInPage(browser, SMALL_PHONE, 'auditor@contoso.example');
  try {
    await load(page, '/');
    await page.getByRole('heading', { name: 'Audit log', exact: true }).waitFor();
    const nav = page.getByRole('navigation', { name: 'Main' });
    assert.deepEqual(await nav.getByRole('link').allTextContents(), ['Support', 'Audit log']);
    await load(page, `/support/lockbox-requests/${id}`);
    await page.getByRole('heading', { name: /^Request / }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Approve' }).count(), 0);
    assert.equal(await page.getByRole('button', { name: 'Deny' }).count(), 0);
    assert.equal(await scrollsSideways(page), false);
    await load(page, `/settings/org-settings/security-privacy`);
    await page.getByRole('alert').waitFor();
  } finally {
    await context.close();
  }
});

test('an approver sees the roles without edit controls; a global admin has them', async () => {
  const approver = await signedInPage(browser, DESKTOP, 'approver1@contoso.example');
  const admin = await signedInPage(browser, DESKTOP, 'admin@contoso.example');
  try {
    await load(approver.page, `/roles`);
    await approver.page.getByRole('heading', { name: 'Lockbox access approver' }).waitFor();
    await approver.page.getByText('approver2@contoso.example').waitFor();
    assert.equal(await approver.page.getByRole('button', { name: /^Remove/ }).count(), 0);
    assert.equal(await approver.page.getByLabel('Add a person').count(), 0);
    await screenshot(approver.page, 'roles-approver-desktop');

    await load(admin.page, `/roles`);
    await admin.page.getByRole('button', { name: 'Remove approver2@contoso.example' }).waitFor();
    assert.ok(await admin.page.getByLabel('Add a person').count() >= 1);
    await screenshot(admin.page, 'roles-admin-desktop');
  } finally {
    await approver.context.close();
    await admin.context.close();
  }
});

test('a lost connection shows a retry, not a blank page', async () => {
  const { context, page } = await signedInPage(browser, PHONE, 'approver1@contoso.example');
  try {
    const list = /\/api\/v1\/requests(\?.*)?$/;
    await page.route(list, (route) => route.abort('internetdisconnected'));
    await load(page, `/support/lockbox-requests`);
    await page.getByRole('alert').getByText(/could not be reached/).waitFor();
    await page.unroute(list);
    await page.getByRole('button', { name: 'Retry' }).click();
    await page.locator('a.request-row').first().waitFor();
  } finally {
    await context.close();
  }
});

test('the list shows the newest 50 requests and loads older ones on demand', async () => {
  // At least 51 requests reach the customer (more when other tests ran).
  const first = await createPendingRequest(30);
  for (let i = 0; i < 50; i++) await createPendingRequest(30);
  const { context, page, errors } = await signedInPage(browser, PHONE, 'approver1@contoso.example');
  try {
    await load(page, `/support/lockbox-requests`);
    await page.locator('a.request-row').first().waitFor();
    assert.equal(await page.locator('a.request-row').count(), 50, 'one page of 50');
    const oldest = page.locator(`a[data-request="${first.id}"]`);
    assert.equal(await oldest.count(), 0, 'the 51st newest is not on the first page');
    await page.getByRole('button', { name: 'Load older requests' }).click();
    await oldest.waitFor();
    assert.ok(await page.locator('a.request-row').count() > 50);
    // Still waiting for a decision: it joins the ones awaiting it.
    assert.equal(await page.getByRole('list', { name: 'Awaiting your decision' })
      .locator(`a[data-request="${first.id}"]`).count(), 1);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

for (const [size, viewport] of [['desktop', DESKTOP], ['small-phone', SMALL_PHONE]]) {
  test(`an approver revokes a grant and downloads the signed report of what was done (${size})`, async () => {
    const { id } = await createPendingRequest(60);
    await apiPost(await apiSignIn('approver2@contoso.example'), `/api/v1/requests/${id}/approve`, {});
    // One operation under the grant, named by the request.
    const engineer = await apiSignIn('engineer1@provider.example');
    await apiPost(engineer, `/api/v1/tenants/${CONTOSO}/services/mail/operations/Get-Mailbox?request_id=${id}`, {});
    const { context, page, errors } = await signedInPage(browser, viewport, 'approver2@contoso.example');
    try {
      await load(page, `/support/lockbox-requests/${id}`);
      // No report while access is live.
      await page.getByRole('button', { name: 'Revoke access' }).click();
      assert.equal(await page.getByTestId('report').count(), 0);
      const revoke = page.getByRole('dialog', { name: 'Revoke this access now?' });
      await revoke.getByRole('button', { name: 'Revoke' }).click();
      await page.locator('.badge[data-state="Revoked"]').first().waitFor();
      const report = page.getByTestId('report');
      await report.waitFor();
      // The end is in the history, in words, with what it counted.
      const history = page.locator('.history');
      await history.locator('strong', { hasText: /^Access ended$/ }).waitFor();
      assert.match(await history.textContent(), /Operations recorded\s*1/);
      const note = await page.evaluate(async (href) => (await fetch(href)).text(), await report.getAttribute('href'));
      assert.match(note, /"type": "lockbox-access-report\/v1"/);
      assert.match(note, /"activity": "Get-Mailbox"/);
      assert.match(note, /c2sp\.org\/tlog-proof@v1/);
      assert.ok(note.includes(id), note);
      assert.deepEqual(await smallButtons(page), [], 'buttons under 44 px');
      assert.equal(await scrollsSideways(page), false, 'the page scrolls sideways');
      await report.scrollIntoViewIfNeeded();
      await screenshot(page, `report-${size}`);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
}

const FABRIKAM = '7c0a8f4e-5a1b-4c3d-9e2f-000000000002';

// An emergency of Fabrikam (the integration tests use Contoso's three of
// 30 days), granted by two managers. Returns { id, ticket }.
async function grantedEmergency() {
  const engineer = await apiSignIn('engineer1@provider.example');
  const ticket = `SR-EM-${Date.now().toString(36)}`;
  const created = await apiPost(engineer, '/api/v1/requests', {
    tenant_id: FABRIKAM, service: 'mail', ticket,
    reason: 'Mail flow is down for the whole tenant; need the mailbox list now.', duration_minutes: 30,
    operations: ['Get-Mailbox'], emergency: { incident: `INC-${Date.now()}` },
  });
  for (const manager of ['manager@provider.example', 'lead@provider.example']) {
    await apiPost(await apiSignIn(manager), `/api/v1/requests/${created.id}/preapprove`, {});
  }
  return { id: created.id, ticket };
}

for (const [size, viewport] of [['desktop', DESKTOP], ['small-phone', SMALL_PHONE]]) {
  test(`an approver sees an emergency in progress, ends it and disputes it with a reason (${size})`, async () => {
    const { id, ticket } = await grantedEmergency();
    const { context, page, errors } = await signedInPage(browser, viewport, 'approver@fabrikam.example');
    try {
      await load(page, '/support/lockbox-requests');
      // Said first, whatever else is listed.
      const banner = page.getByTestId('emergency-banner');
      await banner.waitFor();
      assert.match(await banner.textContent(), new RegExp(`Emergency access is in progress.*${ticket}`));
      assert.equal(await scrollsSideways(page), false, 'the list scrolls sideways');
      await screenshot(page, `emergency-banner-${size}`);
      await banner.getByRole('link', { name: new RegExp(ticket) }).click();
      const box = page.getByTestId('emergency');
      await box.waitFor();
      assert.match(await box.textContent(), /manager@provider\.example, lead@provider\.example|lead@provider\.example, manager@provider\.example/);
      await page.getByRole('button', { name: 'Revoke access' }).click();
      await page.getByRole('dialog', { name: 'Revoke this access now?' }).getByRole('button', { name: 'Revoke' }).click();
      // Ended: the review is asked for, next to the report of what was done.
      const review = page.getByTestId('review');
      await review.waitFor();
      await page.getByTestId('report').waitFor();
      await review.getByRole('button', { name: 'Dispute' }).click();
      const dialog = page.getByRole('dialog', { name: 'Dispute this emergency access?' });
      await dialog.waitFor();
      // A dispute says why: without one, the dialog says so and stays.
      await dialog.getByRole('button', { name: 'Dispute' }).click();
      await dialog.getByText('Say what you dispute').waitFor();
      await dialog.getByLabel('What do you dispute? (required)').fill('Nobody told us about an incident');
      assert.deepEqual(await smallButtons(page), [], 'buttons under 44 px');
      await screenshot(page, `emergency-dispute-${size}`);
      await dialog.getByRole('button', { name: 'Dispute' }).click();
      await page.getByTestId('confirmation').waitFor();
      await page.getByTestId('verdict').getByText('Disputed').waitFor();
      assert.equal(await page.getByTestId('review').count(), 0, 'reviewed once');
      assert.equal(await scrollsSideways(page), false, 'the page scrolls sideways');
      await screenshot(page, `emergency-disputed-${size}`);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
}
