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
      // Once the session and the settings are read: a panel drawn again
      // when a read lands would drop a dialog opened just before.
      await page.getByTestId('who-name').waitFor();
      await page.waitForLoadState('networkidle');
      await page.getByRole('button', { name: 'Revoke all access now' }).click();
      const dialog = page.getByRole('dialog', { name: 'Revoke all access now?' });
      await dialog.waitFor();
      // Without a reason the dialog stays open and says what is missing,
      // with focus on the reason; nothing happens.
      await dialog.getByRole('button', { name: 'Revoke all access' }).click();
      await dialog.getByTestId('freeze-error').getByText(/Say why you revoke all access/).waitFor();
      assert.equal(await dialog.isVisible(), true, 'the dialog stays open');
      await page.waitForFunction(() => document.activeElement?.id === 'freeze-reason');
      await screenshot(page, `freeze-no-reason-${size}`);
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
      // The requests page says so at the top while it lasts.
      await load(page, '/support/lockbox-requests');
      const banner = page.getByTestId('frozen-banner');
      await banner.waitFor();
      assert.match(await banner.textContent(), /All access is frozen\..*Suspicious sign-ins at the provider/s);
      await screenshot(page, `frozen-requests-${size}`);
      await load(page, '/settings/org-settings/security-privacy');

      await page.getByRole('button', { name: 'Lift the freeze' }).click();
      await page.getByRole('dialog', { name: 'Lift the freeze?' })
        .getByRole('button', { name: 'Lift the freeze' }).click();
      await page.getByText('The freeze is lifted.').waitFor();
      await page.getByRole('button', { name: 'Revoke all access now' }).waitFor();
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
}
