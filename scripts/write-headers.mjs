// Writes frontend/dist/_headers: the security headers Workers static assets
// send with the SPA. The Content-Security-Policy allows exactly the inline
// loader scripts/assemble-spa.mjs writes into index.html (by its SHA-256), the wasm
// compilation it starts ('wasm-unsafe-eval'), and nothing from elsewhere.
// Files whose names carry their content's hash (the app's parts, the style
// sheet) are cached
// for a year without revalidation; everything else (index.html, every page
// address) keeps the platform's default, revalidated on each visit.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';

const dist = process.argv[2] ?? 'frontend/dist';
const html = readFileSync(`${dist}/index.html`, 'utf8');
const hashes = [...html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)]
  .map(([, body]) => `'sha256-${createHash('sha256').update(body, 'utf8').digest('base64')}'`);
if (hashes.length === 0) {
  console.error(`no inline script found in ${dist}/index.html: has scripts/assemble-spa.mjs changed its output?`);
  process.exit(1);
}

const csp = [
  "default-src 'self'",
  `script-src 'self' 'wasm-unsafe-eval' ${hashes.join(' ')}`,
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

// Hashed files are named `<name>-<hash>[_bg].<ext>`, the hash 16 hex
// digits (scripts/lib.sh's build_wasm_app, scripts/assemble-spa.mjs).
const hashed = readdirSync(dist).filter((f) => /-[0-9a-f]{1,16}(_bg)?\.(js|wasm|css)$/.test(f));
if (hashed.length === 0) {
  console.error(`no content-hashed file found in ${dist}: has scripts/assemble-spa.mjs changed its naming?`);
  process.exit(1);
}
const immutable = hashed
  .map((f) => `/${f}\n  Cache-Control: public, max-age=31536000, immutable\n`)
  .join('');

writeFileSync(`${dist}/_headers`, `${immutable}/*
  Content-Security-Policy: ${csp}
  X-Content-Type-Options: nosniff
  X-Frame-Options: DENY
  Referrer-Policy: no-referrer
  Strict-Transport-Security: max-age=31536000
`);
