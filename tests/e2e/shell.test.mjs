import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE_URL, DESKTOP, PHONE, launch, openPage, screenshot, scrollsSideways } from './browser.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

for (const [name, viewport] of [['desktop', DESKTOP], ['phone', PHONE]]) {
  test(`the shell and the health answer show at ${name} size`, async () => {
    const { context, page, errors } = await openPage(browser, viewport);
    try {
      await page.goto(`${BASE_URL}/status`);
      await page.getByRole('link', { name: 'Lockbox' }).waitFor();
      const nav = page.getByRole('navigation', { name: 'Main' });
      await nav.getByRole('link', { name: 'Settings' }).waitFor();
      await nav.getByRole('link', { name: 'Support' }).waitFor();
      await page.getByTestId('health-database').waitFor();
      assert.equal(await page.getByTestId('health-service').textContent(), 'Running');
      assert.equal(await page.getByTestId('health-database').textContent(), 'Answering');
      assert.match(await page.getByTestId('health-version').textContent(), /^\d+\.\d+\.\d+/);
      assert.equal(await scrollsSideways(page), false, 'the page scrolls sideways');
      await screenshot(page, `shell-${name}`);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
}

test('a deep link that is not a page shows the not-found page inside the shell', async () => {
  const { context, page } = await openPage(browser, DESKTOP);
  try {
    await page.goto(`${BASE_URL}/no/such/page`);
    await page.getByRole('heading', { name: 'Page not found' }).waitFor();
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
  } finally {
    await context.close();
  }
});
