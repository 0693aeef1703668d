// Quorum and extensions (issue 14): a global admin requires two approvals
// on Security & Privacy; two approvers decide on two phone-sized pages;
// the engineer asks for more time on a grant. Quorum on Northwind Traders,
// which no other browser test uses.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  DESKTOP, PHONE, apiPost, apiSignIn, createPendingRequest, launch, load, screenshot,
  scrollsSideways, signedInPage, smallButtons,
} from './browser.mjs';

const NORTHWIND = '7c0a8f4e-5a1b-4c3d-9e2f-000000000005';

let browser;
before(async () => { browser = await launch(); });
after(async () => {
  // Leave Northwind as the seed has it.
  const admin = await apiSignIn('admin@northwind.example');
  await apiPost(admin, '/api/v1/settings/approvals', { required: 1 });
  await browser?.close();
});

test('two approvers on two phones approve one request that needs both', async () => {
  const admin = await signedInPage(browser, DESKTOP, 'admin@northwind.example');
  try {
    await load(admin.page, '/settings/org-settings/security-privacy');
    await admin.page.getByRole('heading', { name: 'Approvals required' }).waitFor();
    await admin.page.getByLabel('Approvals per request').selectOption('2');
    await admin.page.getByRole('button', { name: 'Save approvals' }).click();
    await admin.page.getByTestId('approvals-confirmation').waitFor();
    await admin.page.getByTestId('approvals-state').getByText('2 approvals').waitFor();
    await screenshot(admin.page, 'approvals-required-desktop');
    assert.deepEqual(admin.errors, []);
  } finally {
    await admin.context.close();
  }

  const { id } = await createPendingRequest(60, NORTHWIND);
  const first = await signedInPage(browser, PHONE, 'approver1@northwind.example');
  const second = await signedInPage(browser, PHONE, 'approver2@northwind.example');
  try {
    await load(first.page, `/support/lockbox-requests/${id}`);
    await first.page.getByTestId('approvals').getByText('0 of 2 approvals').waitFor();
    await first.page.getByRole('button', { name: 'Approve' }).click();
    await first.page.getByRole('dialog', { name: 'Approve this request?' })
      .getByRole('button', { name: 'Approve' }).click();
    const done = first.page.getByTestId('confirmation');
    await done.waitFor();
    assert.match(await done.textContent(), /1 of 2 approvals/);
    await first.page.getByTestId('approved-by-you').waitFor();
    assert.equal(await first.page.getByRole('button', { name: 'Approve' }).count(), 0,
      'no second approval by the same person');
    assert.deepEqual(await smallButtons(first.page), [], 'buttons under 44 px');
    assert.equal(await scrollsSideways(first.page), false, 'the page scrolls sideways');
    await screenshot(first.page, 'quorum-first-approval-phone');
    // In the list it no longer waits for this approver, and says how far it is.
    await load(first.page, '/support/lockbox-requests');
    const row = first.page.locator(`a[data-request="${id}"]`);
    await row.getByText('1 of 2 approvals').waitFor();
    await screenshot(first.page, 'quorum-list-phone');
    assert.equal(await first.page.getByRole('list', { name: 'Awaiting your decision' })
      .locator(`a[data-request="${id}"]`).count(), 0, 'still awaiting the approver who approved');

    await load(second.page, `/support/lockbox-requests/${id}`);
    const progress = second.page.getByTestId('approvals');
    await progress.getByText('1 of 2 approvals').waitFor();
    await progress.getByText('approver1@northwind.example').waitFor();
    await screenshot(second.page, 'quorum-second-approver-phone');
    await second.page.getByRole('button', { name: 'Approve' }).click();
    await second.page.getByRole('dialog', { name: 'Approve this request?' })
      .getByRole('button', { name: 'Approve' }).click();
    await second.page.getByTestId('confirmation').getByText('Access ends at').waitFor();
    await second.page.locator('.badge[data-state="Approved"]').first().waitFor();
    await second.page.getByTestId('approvals').getByText('2 of 2 approvals').waitFor();
    const history = await second.page.locator('.history').textContent();
    assert.match(history, /Approved \(1 of 2 approvals\)/);
    assert.match(history, /Approved \(2 of 2 approvals\)/);
    assert.equal(await scrollsSideways(second.page), false, 'the page scrolls sideways');
    await screenshot(second.page, 'quorum-approved-phone');
    assert.deepEqual(first.errors, []);
    assert.deepEqual(second.errors, []);
  } finally {
    await first.context.close();
    await second.context.close();
  }
});

for (const [size, viewport] of [['desktop', DESKTOP], ['phone', PHONE]]) {
  test(`the engineer asks for more time on a grant and both requests link (${size})`, async () => {
    const { id } = await createPendingRequest(30);
    const approver = await apiSignIn('approver1@contoso.example');
    await apiPost(approver, `/api/v1/requests/${id}/approve`, {});
    const { context, page, errors } = await signedInPage(browser, viewport, 'engineer1@provider.example');
    try {
      await load(page, `/provider/requests/${id}`);
      const form = page.getByTestId('extend');
      await form.getByLabel('More time').selectOption('60');
      await form.getByLabel('Why').fill('The repair needs a second pass over the archive.');
      assert.deepEqual(await smallButtons(page), [], 'buttons under 44 px');
      await form.getByRole('button', { name: 'Ask for more time' }).click();
      const asked = page.getByTestId('extend-confirmation');
      await asked.waitFor();
      await screenshot(page, `extend-asked-${size}`);
      await asked.getByRole('link', { name: 'The extension request' }).click();
      await page.getByTestId('extends').waitFor();
      assert.match(await page.getByTestId('extends').textContent(), new RegExp(id));
      await page.locator('.badge[data-state="PendingManagerApproval"]').first().waitFor();
      // The chain: the first grant (approved) and this extension.
      const members = page.getByTestId('chain-member');
      await members.first().waitFor();
      assert.equal(await members.count(), 2);
      assert.match(await members.nth(0).textContent(), /Approved.*First grant/s);
      assert.match(await members.nth(1).textContent(), /This request.*60 minutes asked|This request.*1 hour asked/s);
      assert.equal(await scrollsSideways(page), false, 'the page scrolls sideways');
      await screenshot(page, `extension-${size}`);
      // The first request now links to its extension; a second one while
      // this one waits is refused, naming it.
      await load(page, `/provider/requests/${id}`);
      await page.getByTestId('extensions').waitFor();
      const again = page.getByTestId('extend');
      await again.getByLabel('Why').fill('And a third pass.');
      await again.getByRole('button', { name: 'Ask for more time' }).click();
      await again.getByRole('alert').getByText(/already has an extension that is waiting or approved/).waitFor();
      // The refusal (409) is the one failed request the browser logs.
      assert.deepEqual(errors.filter((e) => !/status of 409/.test(e)), []);
    } finally {
      await context.close();
    }
  });
}
