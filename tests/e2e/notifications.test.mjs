// Notifications (issue 12): the approvers' e-mail a developer sees at
// /dev/outbox after a pre-approval, and a global admin's webhook settings,
// at desktop and phone sizes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import {
  DESKTOP, PHONE, SMALL_PHONE, launch, screenshot, scrollsSideways, signedInPage, openPage, load,
  createPendingRequest, axeViolations, brokenWords, SCREENSHOTS,
} from './browser.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

for (const [size, viewport] of [['desktop', DESKTOP], ['phone', SMALL_PHONE]]) {
  test(`/dev/outbox shows the approvers' e-mail after a pre-approval, with no link (${size})`, async () => {
    const { id, ticket } = await createPendingRequest(45);
    const { context, page, errors } = await openPage(browser, viewport);
    try {
      await load(page, '/dev/outbox');
      await page.getByRole('heading', { name: 'Outbox (local development)' }).waitFor();
      const mail = page.locator('[data-kind="pending-approval"]', { hasText: id }).first();
      await mail.waitFor();
      const recipients = await page
        .locator('[data-kind="pending-approval"]', { hasText: id })
        .locator('h2').allTextContents();
      assert.deepEqual(recipients.sort(), [
        'To admin@contoso.example', 'To approver1@contoso.example', 'To approver2@contoso.example',
      ]);
      const body = await mail.locator('pre').textContent();
      assert.match(body, new RegExp(ticket));
      assert.match(body, /Access asked for: +45 min/);
      assert.match(body, /Support > Customer Lockbox requests/);
      assert.equal(await mail.locator('a').count(), 0, 'a link in the message');
      assert.equal(await scrollsSideways(page), false, 'the page scrolls sideways');
      assert.deepEqual(await axeViolations(page), []);
      await mail.screenshot({ path: path.join(SCREENSHOTS, `dev-outbox-mail-${size}.png`) });
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test(`a global admin adds a webhook, sees its secret once, and removes it (${size})`, async () => {
    const { context, page, errors } = await signedInPage(browser, viewport, 'admin@contoso.example');
    try {
      await load(page, '/settings/org-settings/notifications');
      await page.getByRole('heading', { name: 'Notifications', exact: true }).waitFor();
      await page.getByRole('heading', { name: 'Recent messages' }).waitFor();
      // A plain http:// endpoint elsewhere than this machine is refused, with why.
      await page.getByLabel('Endpoint URL').fill('http://hooks.example/lockbox');
      await page.getByRole('button', { name: 'Add endpoint' }).click();
      await page.getByText('must use https://').waitFor();
      const url = `https://hooks.invalid/e2e-${size}-${Date.now()}`;
      await page.getByLabel('Endpoint URL').fill(url);
      await page.getByRole('button', { name: 'Add endpoint' }).click();
      const secret = page.getByTestId('webhook-secret');
      await secret.waitFor();
      assert.match(await secret.textContent(), /whsec_[A-Za-z0-9+/=]{32}/);
      const endpoint = page.getByTestId('webhook').filter({ hasText: url });
      await endpoint.waitFor();
      assert.equal(await scrollsSideways(page), false, 'the page scrolls sideways');
      assert.deepEqual(await axeViolations(page), []);
      assert.deepEqual(await brokenWords(page), []);
      await screenshot(page, `notifications-${size}`);
      // Replacing the secret shows the new one once, and says the old one
      // still signs for a day; focus lands on it.
      const first = (await secret.textContent()).match(/whsec_[A-Za-z0-9+/=]{32}/)[0];
      await endpoint.getByRole('button', { name: 'Replace secret' }).click();
      await page.getByRole('dialog').getByRole('button', { name: 'Replace secret' }).click();
      await secret.getByText(`Replaced the secret of ${url}`).waitFor();
      const second = (await secret.textContent()).match(/whsec_[A-Za-z0-9+/=]{32}/)[0];
      assert.notEqual(second, first);
      assert.match(await secret.textContent(), /For a day every delivery is signed with both/);
      await page.waitForFunction(() => document.activeElement?.dataset.testid === 'webhook-secret');
      assert.equal(await scrollsSideways(page), false, 'the page scrolls sideways');
      await screenshot(page, `notifications-replaced-${size}`);
      await endpoint.getByRole('button', { name: 'Remove' }).click();
      await page.getByRole('button', { name: 'Remove endpoint' }).click();
      await endpoint.waitFor({ state: 'detached' });
      // Focus lands on what the removal did, not on the page body.
      await page.getByTestId('webhook-removed').getByText(`Removed ${url}`).waitFor();
      await page.waitForFunction(() => document.activeElement?.dataset.testid === 'webhook-removed');
      // The secret is not shown again on a fresh visit.
      await load(page, '/settings/org-settings/notifications');
      await page.getByRole('heading', { name: 'Recent messages' }).waitFor();
      assert.equal(await page.getByTestId('webhook-secret').count(), 0);
      // The refused http:// endpoint is the one failed request the browser logs.
      assert.deepEqual(errors.filter((e) => !/status of 400/.test(e)), []);
    } finally {
      await context.close();
    }
  });
}

test('an approver has no notifications page in the navigation', async () => {
  const { context, page } = await signedInPage(browser, PHONE, 'approver1@contoso.example');
  try {
    await load(page, '/support/lockbox-requests');
    await page.getByRole('heading', { name: 'Customer Lockbox requests' }).waitFor();
    assert.equal(await page.getByRole('link', { name: 'Notifications' }).count(), 0);
  } finally {
    await context.close();
  }
});
