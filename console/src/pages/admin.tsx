import { useState } from 'preact/hooks';
import { api } from '../api.ts';
import { dateTime } from '../format.ts';
import { linkProps } from '../router.ts';
import type { AuditList, Group, GroupList, TokenList, UserList } from '../types.ts';
import { ErrorBox, Field, Loading, otherErrors, useLoad, useSubmit } from '../ui.tsx';

const UM = '/cloudapi/v6/um';
const SECTIONS = [['users', 'Users'], ['groups', 'Groups'], ['tokens', 'Tokens'], ['audit', 'Audit trail']] as const;

function Users() {
  const users = useLoad(() => api<UserList>('GET', `${UM}/users?limit=1000`), []);
  const [draft, setDraft] = useState({ email: '', password: '', firstname: '', lastname: '', administrator: false });
  const { errors, busy, submit } = useSubmit(async () => {
    await api('POST', `${UM}/users`, { properties: { ...draft, email: draft.email.trim() } });
    setDraft({ email: '', password: '', firstname: '', lastname: '', administrator: false });
    await users.reload();
  });
  const set = (key: 'email' | 'password' | 'firstname' | 'lastname') => (value: string) => setDraft((d) => ({ ...d, [key]: value }));
  if (!users.data) return users.error ? <ErrorBox error={users.error} /> : <Loading what="users" />;
  return (
    <>
      <div class="table-wrap">
        <table>
          <thead><tr><th>Email</th><th>Name</th><th>Role</th><th>Active</th><th>Groups</th><th><span class="sr-only">Actions</span></th></tr></thead>
          <tbody>
            {users.data.items.map((u) => (
              <tr key={u.id}>
                <td data-label="Email">{u.properties.email}</td>
                <td data-label="Name">{`${u.properties.firstname} ${u.properties.lastname}`.trim() || '—'}</td>
                <td data-label="Role">{u.properties.administrator ? 'administrator' : 'user'}</td>
                <td data-label="Active">{u.properties.active ? 'yes' : 'no'}</td>
                <td data-label="Groups">{u.entities.groups.items.length}</td>
                <td><button type="button" class="link danger" aria-label={`Delete user ${u.properties.email}`} onClick={async () => {
                  if (confirm(`Delete the user ${u.properties.email}? Their tokens stop working at once.`)) { await api('DELETE', `${UM}/users/${u.id}`).catch(alert); await users.reload(); }
                }}>Delete</button></td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <form class="card form" onSubmit={submit} noValidate aria-label="New user">
        <h2>New user</h2>
        <div class="grid2">
          <Field name="email" label="Email" type="email" required value={draft.email} onInput={set('email')} error={errors.email} />
          <Field name="password" label="Password" type="password" autoComplete="new-password" required value={draft.password} onInput={set('password')} error={errors.password} />
          <Field name="firstname" label="First name" value={draft.firstname} onInput={set('firstname')} error={errors.firstname} />
          <Field name="lastname" label="Last name" value={draft.lastname} onInput={set('lastname')} error={errors.lastname} />
        </div>
        <label class="check"><input type="checkbox" checked={draft.administrator} onChange={(e) => setDraft((d) => ({ ...d, administrator: e.currentTarget.checked }))} /> Administrator of the contract</label>
        <ErrorBox error={otherErrors(errors, ['email', 'password', 'firstname', 'lastname'])} />
        <button type="submit" class="primary" disabled={busy}>Create user</button>
      </form>
    </>
  );
}

function Groups() {
  const groups = useLoad(() => api<GroupList>('GET', `${UM}/groups?limit=1000`), []);
  const users = useLoad(() => api<UserList>('GET', `${UM}/users?limit=1000`), []);
  const [name, setName] = useState('');
  const [error, setError] = useState<Error>();
  const { errors, busy, submit } = useSubmit(async () => {
    await api('POST', `${UM}/groups`, { properties: { name, accessAndManageVpn: true } });
    setName('');
    await groups.reload();
  });
  const act = async (action: () => Promise<unknown>) => {
    setError(undefined);
    try { await action(); } catch (e) { setError(e as Error); }
    await groups.reload();
  };
  const toggleVpn = (g: Group) => act(() => api('PUT', `${UM}/groups/${g.id}`, { properties: { ...g.properties, accessAndManageVpn: !g.properties.accessAndManageVpn } }));
  if (!groups.data) return groups.error ? <ErrorBox error={groups.error} /> : <Loading what="groups" />;
  const emailOf = new Map(users.data?.items.map((u) => [u.id, u.properties.email]));
  return (
    <>
      <ErrorBox error={error} />
      <div class="table-wrap">
        <table>
          <thead><tr><th>Group</th><th>VPN privilege</th><th>Members</th><th>Add member</th><th><span class="sr-only">Actions</span></th></tr></thead>
          <tbody>
            {groups.data.items.map((g) => (
              <tr key={g.id}>
                <td data-label="Group">{g.properties.name}</td>
                <td data-label="VPN privilege"><label class="check"><input type="checkbox" checked={g.properties.accessAndManageVpn} onChange={() => void toggleVpn(g)} /> accessAndManageVpn</label></td>
                <td data-label="Members">{g.entities.users.items.map((u) => (
                  <span key={u.id} class="chip">{emailOf.get(u.id) ?? u.id} <button type="button" class="link" aria-label={`Remove ${emailOf.get(u.id) ?? u.id}`}
                    onClick={() => void act(() => api('DELETE', `${UM}/groups/${g.id}/users/${u.id}`))}>×</button></span>
                ))}</td>
                <td data-label="Add member">
                  <select aria-label={`Add a member to ${g.properties.name}`} value="" onChange={(e) => { const id = e.currentTarget.value; if (id) void act(() => api('POST', `${UM}/groups/${g.id}/users`, { id })); }}>
                    <option value="">Add…</option>
                    {users.data?.items.filter((u) => !g.entities.users.items.some((m) => m.id === u.id)).map((u) => <option key={u.id} value={u.id}>{u.properties.email}</option>)}
                  </select>
                </td>
                <td><button type="button" class="link danger" aria-label={`Delete group ${g.properties.name}`}
                  onClick={() => { if (confirm(`Delete the group ${g.properties.name}? Its members lose the privileges it gives.`)) void act(() => api('DELETE', `${UM}/groups/${g.id}`)); }}>Delete</button></td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <form class="card form" onSubmit={submit} noValidate aria-label="New group">
        <h2>New group with the VPN privilege</h2>
        <Field name="name" label="Name" required value={name} onInput={setName} error={errors.name} />
        <ErrorBox error={otherErrors(errors, ['name'])} />
        <button type="submit" class="primary" disabled={busy}>Create group</button>
      </form>
    </>
  );
}

function Tokens() {
  const tokens = useLoad(() => api<TokenList>('GET', '/auth/v1/tokens'), []);
  const [error, setError] = useState<Error>();
  if (!tokens.data) return tokens.error ? <ErrorBox error={tokens.error} /> : <Loading what="tokens" />;
  const revoke = async (path: string) => {
    setError(undefined);
    try { await api('DELETE', path); } catch (e) { setError(e as Error); }
    await tokens.reload();
  };
  return (
    <>
      <p class="muted">Your own API tokens (this console's session is one of them).</p>
      <ErrorBox error={error} />
      <div class="table-wrap">
        <table>
          <thead><tr><th>Token</th><th>Created</th><th>Expires</th><th><span class="sr-only">Actions</span></th></tr></thead>
          <tbody>
            {tokens.data.tokens.map((t) => (
              <tr key={t.id}>
                <td data-label="Token"><code>{t.id}</code></td><td data-label="Created">{dateTime(t.createdDate)}</td><td data-label="Expires">{dateTime(t.expirationDate)}</td>
                <td><button type="button" class="link danger" onClick={() => void revoke(`/auth/v1/tokens/${t.id}`)}>Revoke</button></td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <button type="button" onClick={() => void revoke('/auth/v1/tokens?criteria=EXPIRED')}>Remove expired tokens</button>
    </>
  );
}

const AUDIT_SHOWN = 1000;
const AUDIT_PAGES = 50;

/** The latest records, newest first: the API lists oldest first, so the pages are read to the end (at most 50 000 records). */
async function latestAuditRecords(): Promise<{ items: AuditList['items'] }> {
  let items: AuditList['items'] = [];
  for (let page = 0; page < AUDIT_PAGES; page++) {
    const batch = await api<AuditList>('GET', `/audit/v1/records?offset=${page * AUDIT_SHOWN}&limit=${AUDIT_SHOWN}`);
    items = [...items, ...batch.items].slice(-AUDIT_SHOWN);
    if (!batch._links.next || batch.items.length < AUDIT_SHOWN) break;
  }
  return { items: items.reverse() };
}

function Audit() {
  const records = useLoad(latestAuditRecords, []);
  const [filter, setFilter] = useState({ user: '', operation: '', outcome: '' });
  if (!records.data) return records.error ? <ErrorBox error={records.error} /> : <Loading what="the audit trail" />;
  const shown = records.data.items.filter((r) => r.userEmail.includes(filter.user) && r.operation.toLowerCase().includes(filter.operation.toLowerCase())
    && (!filter.outcome || r.outcome === filter.outcome));
  return (
    <>
      <form class="filters" onSubmit={(e) => e.preventDefault()} aria-label="Filters">
        <Field name="audit-user" label="User" value={filter.user} onInput={(user) => setFilter((f) => ({ ...f, user }))} />
        <Field name="audit-operation" label="Operation" placeholder="POST /wireguardgateways" value={filter.operation} onInput={(operation) => setFilter((f) => ({ ...f, operation }))} />
        <div class="field"><label for="audit-outcome">Outcome</label>
          <select id="audit-outcome" value={filter.outcome} onChange={(e) => setFilter((f) => ({ ...f, outcome: e.currentTarget.value }))}>
            <option value="">any</option><option value="success">success</option><option value="failure">failure</option>
          </select></div>
      </form>
      <p class="muted">{shown.length} of the latest {records.data.items.length} records, newest first.</p>
      <div class="table-wrap">
        <table class="audit">
          <thead><tr><th>Date</th><th>User</th><th>Operation</th><th>Resource</th><th>Status</th><th>Client</th></tr></thead>
          <tbody>
            {shown.map((r) => (
              <tr key={r.id} class={r.outcome === 'failure' ? 'failed' : ''}>
                <td data-label="Date">{dateTime(r.date)}</td><td data-label="User">{r.userEmail}</td><td data-label="Operation"><code>{r.operation}</code></td>
                <td data-label="Resource">{r.resourceId ? <code>{r.resourceId}</code> : '—'}</td><td data-label="Status">{r.httpStatus}</td><td data-label="Client">{r.clientIp}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

/** Administration: what only a contract administrator may do; for anyone else the API answers 403. */
export function Admin({ section }: { section: string }) {
  const body = section === 'users' ? <Users /> : section === 'groups' ? <Groups /> : section === 'tokens' ? <Tokens /> : section === 'audit' ? <Audit /> : <p>No such section.</p>;
  return (
    <section>
      <h1>Administration</h1>
      <nav class="tabs" aria-label="Administration">
        {SECTIONS.map(([key, label]) => <a key={key} {...linkProps(`/admin/${key}`)} aria-current={key === section ? 'page' : undefined}>{label}</a>)}
      </nav>
      {body}
    </section>
  );
}
