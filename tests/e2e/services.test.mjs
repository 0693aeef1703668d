// The provider console's Services page (issue 24): an integration admin
// sees the registered services (the sample one among them), registers one
// from its JSON, finds it in the provider log, and removes it; at desktop
// and phone sizes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import {
  DESKTOP, SMALL_PHONE, launch, screenshot, scrollsSideways, signedInPage, load,
  axeViolations, brokenWords,
} from './browser.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/// A registration with a fresh Ed25519 key, as a provider would write it.
function registration(id) {
  const { publicKey } = crypto.generateKeyPairSync('ed25519');
  const jwk = publicKey.export({ format: 'jwk' });
  return {
    id,
    name: `Ticket attachments (${id})`,
    serves: ['files'],
    operations: [
      { name: 'Get-Attachment', description: 'One attachment with its content.', kind: 'content',
        parameters: [{ name: 'Path', description: 'The attachment path.', required: true }] },
    ],
    keys: [{ kty: 'OKP', crv: 'Ed25519', x: jwk.x, kid: `k-${id.slice(4)}` }],
  };
}

for (const [size, viewport] of [['desktop', DESKTOP], ['phone', SMALL_PHONE]]) {
  test(`an integration admin registers a service, finds it in the provider log, and removes it (${size})`, async () => {
    const { context, page, errors } = await signedInPage(browser, viewport, 'integrations@provider.example');
    const id = `svc:e2e-${size}-${Date.now()}`;
    try {
      await load(page, '/provider/services');
      await page.getByRole('heading', { name: 'Services', exact: true }).waitFor();
      const sample = page.locator('[data-service="svc:sample"]');
      await sample.waitFor();
      assert.match(await sample.textContent(), /mail, sites, files/);
      assert.match(await page.getByTestId('refused-calls').textContent(), /service call|refused/);

      // Not JSON: said next to the form, nothing sent.
      await page.getByLabel('Registration (JSON)').fill('{ "id": ');
      await page.getByRole('button', { name: 'Save registration' }).click();
      await page.getByText('This is not a registration').waitFor();

      await page.getByLabel('Registration (JSON)').fill(JSON.stringify(registration(id), null, 2));
      await page.getByRole('button', { name: 'Save registration' }).click();
      await page.getByTestId('services-outcome').waitFor();
      assert.match(await page.getByTestId('services-outcome').textContent(), new RegExp(`Saved ${id}`));
      const added = page.locator(`[data-service="${id}"]`);
      await added.waitFor();
      assert.match(await added.textContent(), /1 \(1 read content\)/);
      const logged = page.getByTestId('provider-log-entry').filter({ hasText: id });
      await logged.first().waitFor();
      assert.match(await logged.first().textContent(), /Register-LockboxService/);
      assert.equal(await scrollsSideways(page), false, 'the page scrolls sideways');
      assert.deepEqual(await brokenWords(page), []);
      assert.deepEqual(await axeViolations(page), []);
      await screenshot(page, `provider-services-${size}`);

      await added.getByRole('button', { name: 'Remove' }).click();
      await page.getByRole('dialog').getByRole('button', { name: 'Remove service' }).click();
      await page.getByText(`Removed ${id}`).waitFor();
      await added.waitFor({ state: 'detached' });
      await page.getByTestId('provider-log-entry').filter({ hasText: 'Remove-LockboxService' }).filter({ hasText: id }).first().waitFor();
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
}

test('a support engineer has no Services page in the navigation and is refused it', async () => {
  const { context, page } = await signedInPage(browser, DESKTOP, 'engineer1@provider.example');
  try {
    await load(page, '/provider/requests');
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
    assert.equal(await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Services' }).count(), 0);
    await load(page, '/provider/services');
    await page.getByRole('alert').waitFor();
  } finally {
    await context.close();
  }
});
