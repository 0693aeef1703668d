// The audit log page (issue 11): an auditor searches, narrows, opens a
// record and downloads the exports, at desktop and phone sizes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  DESKTOP, PHONE, launch, screenshot, scrollsSideways, signedInPage, load, createPendingRequest,
  apiSignIn, BASE_URL, axeViolations, brokenWords,
} from './browser.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

// A customer decision to find: approve one request.
async function decidedRequest() {
  const { id } = await createPendingRequest(15);
  const approver = await apiSignIn('approver2@contoso.example');
  const r = await fetch(`${BASE_URL}/api/v1/requests/${id}/approve`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie: `CF_Authorization=${approver}` },
    body: JSON.stringify({ comment: 'Fine for the audit test' }),
  });
  assert.equal(r.status, 200);
  return id;
}

for (const [size, viewport] of [['desktop', DESKTOP], ['phone', PHONE]]) {
  test(`an auditor searches for customer decisions, opens one and downloads the CSV (${size})`, async () => {
    const id = await decidedRequest();
    const { context, page, errors } = await signedInPage(browser, viewport, 'auditor@contoso.example');
    try {
      await load(page, '/audit');
      await page.getByRole('heading', { name: 'Audit log', exact: true }).waitFor();
      // The last 7 days load at once.
      await page.getByTestId('audit-count').waitFor();
      await page.getByLabel('Activities').selectOption(['Set-AccessToCustomerDataRequest']);
      await page.getByRole('button', { name: 'Search' }).click();
      const record = page.locator('.audit-record', { hasText: id }).first();
      // The page showed the last 7 days at first: wait for the new answer.
      await page.waitForFunction(() => {
        const shown = [...document.querySelectorAll('.audit-activity')];
        return shown.length > 0 && shown.every((a) => a.textContent === 'Set-AccessToCustomerDataRequest');
      });
      const activities = await page.locator('.audit-activity').allTextContents();
      assert.ok(activities.length > 0);
      assert.ok(activities.every((a) => a === 'Set-AccessToCustomerDataRequest'), activities.join(', '));
      await record.locator('summary').click();
      const facts = record.locator('dl');
      await facts.waitFor();
      const text = await facts.textContent();
      assert.match(text, /Time \(UTC\)\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/);
      assert.match(text, /ApprovalDecisionApprove/);
      assert.match(text, /approver2@contoso\.example/);
      assert.match(text, /Sequence number\d+/);
      assert.match(text, /Leaf hash/);
      assert.equal(await scrollsSideways(page), false, 'the page scrolls sideways');
      assert.deepEqual(await axeViolations(page), []);
      assert.deepEqual(await brokenWords(page), []);
      await screenshot(page, `audit-record-${size}`);

      // The filter box narrows what is shown.
      await page.getByLabel('Filter results').fill('no such text at all');
      await page.waitForFunction(() => document.querySelectorAll('.audit-record').length === 0);
      await page.getByLabel('Filter results').fill('set-access');
      await record.waitFor();

      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('link', { name: 'Download CSV' }).click(),
      ]);
      assert.match(download.suggestedFilename(), /^lockbox-audit-contoso-\d{8}T\d{4}Z-\d{8}T\d{4}Z\.csv$/);
      const csv = readFileSync(await download.path(), 'utf8');
      const [header, ...rows] = csv.trim().split('\n');
      assert.equal(header, 'CreationDate,UserIds,Operations,Item,ClientIP,AuditData,Sequence,Hash');
      assert.ok(rows.some((row) => row.includes(id)), 'the record is in the CSV');
      assert.ok(rows.every((row) => row.includes('Set-AccessToCustomerDataRequest')));
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
}
