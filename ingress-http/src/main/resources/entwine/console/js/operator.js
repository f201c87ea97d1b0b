import { api, path } from './api.js';
import { h, replace, errorBox, okBox, table, time, onSubmit, confirmButton } from './dom.js';
import { pagedList } from './paging.js';

const ADMIN = '/api/v0002/admin';

/**
 * The operator's view: cluster members, projection lag, the organizations (paged, from the read
 * side) and one organization with its API keys.
 */
export async function operator(main) {
  const members = h('div');
  const lag = h('div');
  const organization = h('div', { id: 'organization' });
  const organizations = h('div', { id: 'organization-list' });
  const showOrganizations = pagedList(organizations, ADMIN + '/organizations', [
    ['Id', (o) => h('button', { type: 'button', class: 'link', 'aria-label': `Open ${o.id}`,
      onclick: () => showOrganization(organization, o.id).catch((e) => replace(organization, errorBox(e))) }, o.id)],
    ['Name', (o) => o.name],
    ['Created', (o) => time(o.created)],
  ], { id: 'organizations' }, { empty: 'No organizations yet. A new one is listed within a few seconds.' });
  const openOut = h('div');
  const createOut = h('div');

  const openForm = h('form', { 'aria-label': 'Open an organization' },
    h('label', {}, 'Organization id', h('input', { name: 'org', id: 'org-id', required: true, pattern: '[a-z0-9]{1,32}' })),
    h('button', { type: 'submit' }, 'Open'));
  onSubmit(openForm, openOut, ({ org }) => showOrganization(organization, org));

  const createForm = h('form', { 'aria-label': 'Create an organization' },
    h('label', {}, 'Id (optional)', h('input', { name: 'id', pattern: '[a-z0-9]{1,32}' })),
    h('label', {}, 'Name', h('input', { name: 'name', required: true })),
    h('button', { type: 'submit' }, 'Create organization'));
  onSubmit(createForm, createOut, async ({ id, name }) => {
    const { data } = await api('POST', ADMIN + '/organizations', { json: id ? { id, name } : { name } });
    replace(createOut, okBox(`Organization ${data.id} created.`));
    await showOrganization(organization, data.id);
  });

  const refresh = h('button', { type: 'button', class: 'secondary', onclick: () => load() }, 'Refresh');
  replace(main,
    h('h1', {}, 'Operator'),
    h('section', { 'aria-labelledby': 'members-title' }, h('h2', { id: 'members-title' }, 'Cluster members'), members),
    h('section', { 'aria-labelledby': 'lag-title' }, h('h2', { id: 'lag-title' }, 'Projection lag'), lag),
    h('section', { 'aria-labelledby': 'orgs-title' }, h('h2', { id: 'orgs-title' }, 'Organizations'),
      organizations, openForm, openOut, createForm, createOut, organization),
    refresh);

  async function load() {
    await Promise.all([showMembers(members), showLag(lag), showOrganizations()]);
  }
  await load();
}

async function showMembers(out) {
  try {
    const { data } = await api('GET', ADMIN + '/cluster');
    replace(out,
      h('p', { class: 'muted' }, `Seen from ${data.self}; leader ${data.leader || 'none'}.`),
      table([
        ['Address', (m) => m.address],
        ['Status', (m) => m.status],
        ['Reachable', (m) => (m.reachable ? 'yes' : 'NO')],
        ['Roles', (m) => m.roles.join(', ')],
      ], data.members, { id: 'members' }));
  } catch (e) {
    replace(out, errorBox(e));
  }
}

async function showLag(out) {
  try {
    const { data } = await api('GET', ADMIN + '/projections');
    replace(out,
      h('p', {}, 'Largest lag: ', data.maxLagMillis === null || data.maxLagMillis === undefined
        ? 'unknown (a slice has not stored an offset yet)' : `${data.maxLagMillis} ms`),
      table([
        ['Projection', (s) => s.projection],
        ['Slice', (s) => s.slice],
        ['Lag (ms)', (s) => (s.lagMillis ?? '—')],
        ['Projected up to', (s) => time(s.projectedUpTo)],
        ['Newest event', (s) => time(s.newestEventAt)],
      ], data.slices, { id: 'lag' }));
  } catch (e) {
    replace(out, errorBox(e));
  }
}

async function showOrganization(out, org) {
  const { data } = await api('GET', ADMIN + path('organizations', org));
  const keys = h('div');
  const keyOut = h('div');
  const keyForm = h('form', { 'aria-label': 'Create an API key' },
    h('label', {}, 'Description', h('input', { name: 'description' })),
    h('button', { type: 'submit' }, 'Create API key'));
  onSubmit(keyForm, keyOut, async ({ description }) => {
    const created = await api('POST', ADMIN + path('organizations', org, 'apikeys'), { json: { description } });
    replace(keyOut, okBox(`API key ${created.data.key} with token ${created.data.token} — copy the token now, it is not shown again.`));
    await listKeys(keys, org);
  });
  replace(out,
    h('h3', {}, `${data.name} (${data.id})`),
    h('p', { class: 'muted' }, `Created ${time(data.created)}`),
    keyForm, keyOut, keys);
  await listKeys(keys, org);
}

async function listKeys(out, org) {
  const { data } = await api('GET', ADMIN + path('organizations', org, 'apikeys'));
  const revoke = (key) => confirmButton('Revoke', `Revoke ${key.key}`, `Really revoke ${key.key}?`, async () => {
    await api('DELETE', ADMIN + path('organizations', org, 'apikeys', key.key));
    await listKeys(out, org);
  });
  replace(out, data.length === 0 ? h('p', { class: 'muted' }, 'No API keys.')
    : table([
      ['Key', (k) => k.key],
      ['Description', (k) => k.description || ''],
      ['Created', (k) => time(k.created)],
      ['', revoke],
    ], data, { id: 'apikeys' }));
}
