// `make dev`: makes sure Contoso's approvers have a request to decide on.
// The demo data is seeded once, relative to that first run, so after 12 h
// its pending request has expired. When no request is pending, this opens
// one through the API as a provider engineer and has the manager
// pre-approve it, so it is audited like any other request.
const BASE = process.env.LOCKBOX_URL;
const CONTOSO = '7c0a8f4e-5a1b-4c3d-9e2f-000000000001';

async function signIn(email) {
  const r = await fetch(`${BASE}/api/v1/dev/sign-in`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email }),
  });
  if (r.status !== 200) throw new Error(`signing in as ${email}: HTTP ${r.status}`);
  return r.headers.get('set-cookie').split(';')[0];
}

async function call(cookie, method, path, body) {
  const r = await fetch(`${BASE}${path}`, {
    method,
    headers: { cookie, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await r.text();
  if (r.status >= 300) throw new Error(`${method} ${path}: HTTP ${r.status} ${text}`);
  return JSON.parse(text);
}

try {
  const approver = await signIn('approver1@contoso.example');
  const pending = await call(approver, 'GET', '/api/v1/requests?limit=1&status=PendingCustomerApproval');
  if (pending.items.length > 0) {
    console.log(`Request ${pending.items[0].ticket} is waiting for Contoso's approval.`);
  } else {
    const engineer = await signIn('engineer1@provider.example');
    const manager = await signIn('manager@provider.example');
    const ticket = `SR-DEMO-${new Date().toISOString().slice(0, 10)}`;
    const created = await call(engineer, 'POST', '/api/v1/requests', {
      tenant_id: CONTOSO, service: 'mail', ticket, duration_minutes: 60,
      operations: ['Get-MailboxStatistics', 'Get-MailboxFolderStatistics', 'Get-Message'],
      reason: 'Shared mailbox of the sales team stopped syncing; need its folder statistics.',
    });
    await call(manager, 'POST', `/api/v1/requests/${created.id}/preapprove`, { comment: 'Demo request' });
    console.log(`Opened request ${ticket} for Contoso to approve (no demo request was pending).`);
  }
} catch (err) {
  // The app runs without it; say why there is nothing to approve.
  console.error(`Could not make sure a demo request is pending: ${err.message}`);
}
