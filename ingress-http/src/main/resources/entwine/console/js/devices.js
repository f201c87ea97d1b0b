import { api, path } from './api.js';
import { h, replace, okBox, time, onSubmit, confirmButton } from './dom.js';
import { pagedList, prefixSearch } from './paging.js';

/** The organization's device types. */
export async function deviceTypes(main) {
  const list = h('div');
  const createOut = h('div');
  const createForm = h('form', { 'aria-label': 'Create a device type' },
    h('label', {}, 'Type id', h('input', { name: 'id', id: 'new-type-id', required: true, maxlength: 32 })),
    h('label', {}, 'Description', h('input', { name: 'description' })),
    h('button', { type: 'submit' }, 'Create device type'));
  const search = prefixSearch('Type id starts with', 'search-type', 'id');
  const show = pagedList(list, '/api/v0002/device/types', [
    ['Type', (t) => h('a', { href: '#/types/' + encodeURIComponent(t.id) }, t.id)],
    ['Class', (t) => t.classId],
    ['Description', (t) => t.description || ''],
    ['Created', (t) => time(t.createdDateTime)],
  ], { id: 'types' }, { filter: search.filter });
  search.onSearch(show);
  onSubmit(createForm, createOut, async ({ id, description }) => {
    await api('POST', '/api/v0002/device/types', { json: description ? { id, description } : { id } });
    replace(createOut, okBox(`Device type ${id} created.`));
    await show();
  });
  replace(main, h('h1', {}, 'Device types'),
    h('section', {}, h('h2', {}, 'Types'), search.form, list),
    h('section', {}, h('h2', {}, 'New device type'), createForm, createOut));
  await show();
}

/** The devices of one type: paged, searched by id prefix, registered and deleted here. */
export async function devices(main, [type]) {
  const base = '/api/v0002/device/types/' + encodeURIComponent(type) + '/devices';
  const list = h('div', { id: 'device-list' });
  const search = prefixSearch('Device id starts with', 'search-id', 'deviceId');
  const registerOut = h('div');

  const registerForm = h('form', { 'aria-label': 'Register a device' },
    h('label', {}, 'Device id', h('input', { name: 'deviceId', id: 'new-device-id', required: true, maxlength: 32 })),
    h('label', {}, 'Token (optional, 8–128 characters)', h('input', { name: 'authToken', type: 'password', minlength: 8, maxlength: 128 })),
    h('button', { type: 'submit', id: 'register' }, 'Register device'));
  onSubmit(registerForm, registerOut, async ({ deviceId, authToken }) => {
    const { data } = await api('POST', base, { json: authToken ? { deviceId, authToken } : { deviceId } });
    replace(registerOut,
      okBox(`Device ${data.deviceId} registered. Its token is ${data.authToken} — copy it now, it is not shown again.`),
      h('a', { href: `#/types/${encodeURIComponent(type)}/devices/${encodeURIComponent(data.deviceId)}` }, `Open ${data.deviceId}`));
    registerForm.reset();
  });

  const remove = (d) => confirmButton('Delete', `Delete ${d.deviceId}`, `Really delete ${d.deviceId}?`, async (button) => {
    await api('DELETE', base + path(d.deviceId));
    button.closest('tr').remove();
  });
  const show = pagedList(list, base, [
    ['Device', (d) => h('a', { href: `#/types/${encodeURIComponent(type)}/devices/${encodeURIComponent(d.deviceId)}` }, d.deviceId)],
    ['Registered', (d) => time(d.registration && d.registration.date)],
    ['Metadata', (d) => (d.metadata && Object.keys(d.metadata).length ? JSON.stringify(d.metadata) : '')],
    ['', remove],
  ], { id: 'devices' }, { filter: search.filter });
  search.onSearch(show);

  replace(main,
    h('p', {}, h('a', { href: '#/types' }, '← Device types')),
    h('h1', {}, `Devices of type ${type}`),
    h('section', {}, h('h2', {}, 'Devices'), search.form, list),
    h('section', {}, h('h2', {}, 'Register a device'), registerForm, registerOut));
  await show();
}
