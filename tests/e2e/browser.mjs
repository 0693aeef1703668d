// Shared helpers for the browser tests: one headless Debian Chromium driven by
// playwright-core (never a downloaded browser), the server's address, and a
// screenshot folder.
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import path from 'node:path';

export const BASE_URL = process.env.LOCKBOX_URL;
if (!BASE_URL) {
  throw new Error('LOCKBOX_URL is not set: run the browser tests with `make test`, which starts the server.');
}

const outDir = process.env.LOCKBOX_TEST_OUTPUT ?? 'test-output';
export const SCREENSHOTS = path.join(outDir, 'screenshots');
mkdirSync(SCREENSHOTS, { recursive: true });

export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };
export const SMALL_PHONE = { width: 360, height: 640 };

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

// Opens a page at the given viewport; page errors fail the test that reads them.
export async function openPage(browser, viewport) {
  const context = await browser.newContext({ viewport, isMobile: viewport.width < 600, hasTouch: viewport.width < 600 });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (err) => errors.push(err.message));
  page.on('console', (msg) => {
    // Chromium logs every 4xx fetch; a signed-out 401 is expected, not a fault.
    if (msg.type() === 'error' && !/status of 401/.test(msg.text())) errors.push(msg.text());
  });
  return { context, page, errors };
}

export async function screenshot(page, name) {
  const file = path.join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

// True when the page is wider than its viewport (horizontal scrolling).
export async function scrollsSideways(page) {
  return page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
}
