import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE_URL, DESKTOP, PHONE, launch, openPage, screenshot, scrollsSideways, load } from './browser.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

for (const [size, viewport] of [['desktop', DESKTOP], ['phone', PHONE]]) {
  test(`an approver signs in through the sign-in page, sees name and roles, and signs out (${size})`, async () => {
    const { context, page, errors } = await openPage(browser, viewport);
    try {
      await load(page, `/`);
      await page.getByRole('link', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
      await screenshot(page, `sign-in-page-${size}`);
      assert.equal(await scrollsSideways(page), false, 'the sign-in page scrolls sideways');

      await page.getByRole('button', { name: /Alex Wilber/ }).click();
      // An approver lands on the requests.
      await page.getByRole('heading', { name: 'Customer Lockbox requests' }).waitFor();
      assert.equal(new URL(page.url()).pathname, '/support/lockbox-requests');
      await page.getByTestId('who-name').waitFor();
      assert.equal(await page.getByTestId('who-name').textContent(), 'Alex Wilber');
      assert.equal(await page.getByTestId('who-roles').textContent(), 'Contoso · Lockbox access approver');
      const cookies = await context.cookies();
      const session = cookies.find((c) => c.name === 'CF_Authorization');
      assert.ok(session, 'the session cookie is set');
      assert.equal(session.httpOnly, true);
      assert.equal(session.sameSite, 'Strict');
      await screenshot(page, `signed-in-${size}`);

      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
      await page.getByRole('link', { name: 'Sign in' }).waitFor();
      assert.equal(await page.getByTestId('who-name').count(), 0);
      assert.equal((await context.cookies()).some((c) => c.name === 'CF_Authorization'), false);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
}

for (const [who, home, heading] of [
  ['Nestor Wilke', '/provider/requests', 'My access requests'],
  ['Lee Gu', '/provider/preapprovals', 'Requests awaiting pre-approval'],
  ['Lynne Robbins', '/audit', 'Audit log'],
]) {
  test(`${who} lands on their own home page after signing in`, async () => {
    const { context, page, errors } = await openPage(browser, DESKTOP);
    try {
      await load(page, '/sign-in');
      await page.getByRole('button', { name: new RegExp(who) }).click();
      await page.getByRole('heading', { name: heading }).waitFor();
      assert.equal(new URL(page.url()).pathname, home);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
}
