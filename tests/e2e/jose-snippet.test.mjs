// The README's TypeScript example ("Putting your service behind Lockbox")
// run as it is written, with `jose` from npm, against the running Lockbox:
// a provider service registered with a fresh Ed25519 key checks an
// engineer's grant token offline and records an action before it reads.
// Only the three constants at its top are pointed at this Lockbox and
// service; everything else is the README's text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import * as jose from 'jose';
import { BASE_URL, CONTOSO, apiSignIn, apiPost, createPendingRequest } from './browser.mjs';

const README = path.join(import.meta.dirname, '..', '..', 'README.md');
const ISSUER = 'https://lockbox.example';

/// The README's ```ts block, as a function of what it leaves to the reader.
function snippet(service) {
  const text = fs.readFileSync(README, 'utf8');
  const block = text.match(/With TypeScript \(`jose` from npm[^]*?```ts\n([^]*?)```/);
  assert.ok(block, 'the README has no TypeScript example');
  let code = block[1];
  assert.match(code, /^import \{ createRemoteJWKSet, jwtVerify, SignJWT, importJWK \} from "jose";$/m);
  code = code.replace(/^import .* from "jose";$/m, '');
  for (const [name, value] of [['LOCKBOX', BASE_URL], ['ISSUER', ISSUER], ['SERVICE', service]]) {
    const line = new RegExp(`^const ${name} = "[^"]*";`, 'm');
    assert.match(code, line, `the example has no ${name} constant`);
    code = code.replace(line, `const ${name} = ${JSON.stringify(value)};`);
  }
  const AsyncFunction = (async () => {}).constructor;
  return new AsyncFunction(
    'createRemoteJWKSet', 'jwtVerify', 'SignJWT', 'importJWK',
    'token', 'tenant', 'engineer', 'privateJwk', 'batchId', 'messageId', code,
  );
}

async function api(method, token, url, body) {
  const r = await fetch(`${BASE_URL}${url}`, {
    method,
    headers: { 'content-type': 'application/json', cookie: `CF_Authorization=${token}` },
    body: body && JSON.stringify(body),
  });
  return { status: r.status, body: await r.json().catch(() => null) };
}

test("the README's jose example verifies a grant token and records before reading; a revoked grant records nothing", async () => {
  // A service of the provider's own, registered with a fresh key.
  const service = `svc:jose-${Date.now().toString(36)}`;
  const { privateKey, publicKey } = crypto.generateKeyPairSync('ed25519');
  const kid = `jose-${Date.now().toString(36)}`;
  const privateJwk = { ...privateKey.export({ format: 'jwk' }), kid };
  const pub = publicKey.export({ format: 'jwk' });
  const integrations = await apiSignIn('integrations@provider.example');
  await apiPost(integrations, '/api/v1/provider/services', {
    id: service, name: 'Mail store (jose example)', serves: ['mail'],
    operations: [{ name: 'Get-Message', description: 'One message.', kind: 'content', service: 'mail' }],
    keys: [{ kty: 'OKP', crv: 'Ed25519', x: pub.x, kid }],
  });

  // An engineer's live grant, and its token.
  const { id } = await createPendingRequest(30);
  await apiPost(await apiSignIn('approver1@contoso.example'), `/api/v1/requests/${id}/approve`, {});
  const engineerToken = await apiSignIn('engineer1@provider.example');
  const grant = await apiPost(engineerToken, `/api/v1/requests/${id}/grant-token`, {});
  assert.ok(grant.audience.includes(service), `${service} not in ${grant.audience}`);

  const run = snippet(service);
  const args = (token, batchId) => [
    jose.createRemoteJWKSet, jose.jwtVerify, jose.SignJWT, jose.importJWK,
    token, CONTOSO, 'engineer1@provider.example', privateJwk, batchId, 'message-7',
  ];
  const batchId = `jose-${crypto.randomUUID()}`;
  await run(...args(grant.token, batchId));
  // Sent again (a lost answer): the same record, once.
  await run(...args(grant.token, batchId));

  const admin = await apiSignIn('admin@contoso.example');
  const log = await api('GET', admin, `/api/v1/audit?request=${id}&limit=50`);
  assert.equal(log.status, 200);
  const records = log.body.items.filter((r) => r.details.BatchId === batchId);
  assert.equal(records.length, 1, JSON.stringify(log.body.items));
  assert.equal(records[0].activity, 'Get-Message');
  assert.equal(records[0].item, 'message-7');
  assert.equal(records[0].details.Service, service);
  assert.equal(records[0].details.Engineer, 'engineer1@provider.example');

  // A token changed in transit fails the offline check.
  const forged = grant.token.slice(0, -4) + (grant.token.endsWith('AAAA') ? 'BBBB' : 'AAAA');
  await assert.rejects(run(...args(forged, `jose-${crypto.randomUUID()}`)));
  // Another engineer's sign-in does not match the token's subject.
  await assert.rejects(
    run(...[...args(grant.token, `jose-${crypto.randomUUID()}`)].map((a, i) => (i === 6 ? 'engineer2@provider.example' : a))),
    /not covered/,
  );

  // Revoked: the token still verifies offline, but nothing is recorded.
  await apiPost(await apiSignIn('approver1@contoso.example'), `/api/v1/requests/${id}/revoke`, {});
  const after = `jose-${crypto.randomUUID()}`;
  await assert.rejects(run(...args(grant.token, after)), /not recorded: refuse/);
  const again = await api('GET', admin, `/api/v1/audit?request=${id}&limit=50`);
  assert.equal(again.body.items.filter((r) => r.details.BatchId === after).length, 0);

  const removed = await api('DELETE', integrations, `/api/v1/provider/services/${service}`);
  assert.equal(removed.status, 204, JSON.stringify(removed.body));
});
