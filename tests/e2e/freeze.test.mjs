// "Revoke all access now" (issue 14): a global admin freezes the tenant
// with a reason through the confirmation, sees it in force, and lifts it;
// at desktop and phone sizes. On Tailspin Toys, which no other test uses.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  DESKTOP, PHONE, launch, screenshot, scrollsSideways, signedInPage, smallButtons, load,
} from './browser.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

for (const [size, viewport] of [['desktop', DESKTOP], ['phone', PHONE]]) {
  test(`a global admin revokes all access now and lifts it again (${size})`, async () => {
    const { context, page, errors } = await signedInPage(browser, viewport, 'admin@tailspin.example');
    try {
      await load(page, '/settings/org-settings/security-privacy');
      await page.getByRole('heading', { name: 'Revoke all access now' }).waitFor();
      await page.getByRole('button', { name: 'Revoke all access now' }).click();
      const dialog = page.getByRole('dialog', { name: 'Revoke all access now?' });
      await dialog.waitFor();
      // Without a reason the server says what is missing; nothing happens.
      await dialog.getByRole('button', { name: 'Revoke all access' }).click();
      await page.getByText('Say why you are revoking all access').waitFor();
      await page.getByRole('button', { name: 'Revoke all access now' }).click();
      await dialog.getByLabel('Why (required)').fill('Suspicious sign-ins at the provider');
      assert.deepEqual(await smallButtons(page), [], 'buttons under 44 px');
      await screenshot(page, `freeze-confirm-${size}`);
      await dialog.getByRole('button', { name: 'Revoke all access' }).click();
      const done = page.getByTestId('freeze-confirmation');
      await done.waitFor();
      assert.match(await done.textContent(), /All access is revoked: \d+ live grants? ended/);
      await page.getByText('Frozen.').waitFor();
      await page.getByText('Suspicious sign-ins at the provider').waitFor();
      assert.equal(await scrollsSideways(page), false, 'the page scrolls sideways');
      await screenshot(page, `frozen-${size}`);

      await page.getByRole('button', { name: 'Lift the freeze' }).click();
      await page.getByRole('dialog', { name: 'Lift the freeze?' })
        .getByRole('button', { name: 'Lift the freeze' }).click();
      await page.getByText('The freeze is lifted.').waitFor();
      await page.getByRole('button', { name: 'Revoke all access now' }).waitFor();
      // The refused empty reason is a 400 Chromium logs; nothing else.
      assert.deepEqual(errors.filter((e) => !/status of 400/.test(e)), []);
    } finally {
      await context.close();
    }
  });
}
