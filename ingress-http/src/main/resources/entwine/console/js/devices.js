import { api, path, ApiError } from './api.js';
import { h, replace, errorBox, okBox, table, time, onSubmit, confirmButton } from './dom.js';

const PAGE = 50;

/**
 * A list paged with the API's bookmarks: the bookmarks of the pages seen are kept, so Previous
 * goes back without reading everything again; a type of 1,000 devices is 20 pages.
 */
function pagedList(out, url, columns, attrs) {
  const bookmarks = [null];
  let index = 0;
  async function show() {
    const bookmark = bookmarks[index];
    const query = `?_limit=${PAGE}` + (bookmark ? `&_bookmark=${encodeURIComponent(bookmark)}` : '');
    out.setAttribute('aria-busy', 'true');
    try {
      const { data } = await api('GET', url + query);
      if (data.bookmark) bookmarks[index + 1] = data.bookmark;
      const previous = h('button', { type: 'button', class: 'secondary', disabled: index === 0, onclick: () => { index--; show(); } }, 'Previous page');
      const next = h('button', { type: 'button', class: 'secondary', disabled: !data.bookmark, onclick: () => { index++; show(); } }, 'Next page');
      const total = data.meta ? data.meta.total_rows : data.results.length;
      replace(out,
        data.results.length === 0 ? h('p', { class: 'muted' }, 'None yet. New registrations are listed within a few seconds.')
          : table(columns, data.results, attrs),
        h('div', { class: 'pager' }, previous,
          h('button', { type: 'button', class: 'secondary', id: 'refresh-list', onclick: () => show() }, 'Refresh'),
          h('span', { class: 'muted', 'aria-live': 'polite' }, `Page ${index + 1} · ${data.results.length} shown of ${total}`), next));
    } catch (e) {
      replace(out, errorBox(e));
    } finally {
      out.setAttribute('aria-busy', 'false');
    }
  }
  return show;
}

/** The organization's device types. */
export async function deviceTypes(main) {
  const list = h('div');
  const createOut = h('div');
  const createForm = h('form', { 'aria-label': 'Create a device type' },
    h('label', {}, 'Type id', h('input', { name: 'id', id: 'new-type-id', required: true, maxlength: 32 })),
    h('label', {}, 'Description', h('input', { name: 'description' })),
    h('button', { type: 'submit' }, 'Create device type'));
  const show = pagedList(list, '/api/v0002/device/types', [
    ['Type', (t) => h('a', { href: '#/types/' + encodeURIComponent(t.id) }, t.id)],
    ['Class', (t) => t.classId],
    ['Description', (t) => t.description || ''],
    ['Created', (t) => time(t.createdDateTime)],
  ], { id: 'types' });
  onSubmit(createForm, createOut, async ({ id, description }) => {
    await api('POST', '/api/v0002/device/types', { json: description ? { id, description } : { id } });
    replace(createOut, okBox(`Device type ${id} created.`));
    await show();
  });
  replace(main, h('h1', {}, 'Device types'),
    h('section', {}, h('h2', {}, 'Types'), list),
    h('section', {}, h('h2', {}, 'New device type'), createForm, createOut));
  await show();
}

/** The devices of one type: paged, found by id, registered and deleted here. */
export async function devices(main, [type]) {
  const base = '/api/v0002/device/types/' + encodeURIComponent(type) + '/devices';
  const list = h('div', { id: 'device-list' });
  const searchOut = h('div');
  const registerOut = h('div');

  const searchForm = h('form', { role: 'search', 'aria-label': 'Find a device by id' },
    h('label', {}, 'Device id', h('input', { name: 'id', id: 'search-id', required: true, maxlength: 32 })),
    h('button', { type: 'submit' }, 'Find'));
  onSubmit(searchForm, searchOut, async ({ id }) => {
    try {
      await api('GET', base + path(id));
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) throw new Error(`No device '${id}' of type ${type} in your organization.`);
      throw e;
    }
    location.hash = `#/types/${encodeURIComponent(type)}/devices/${encodeURIComponent(id)}`;
  });

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
  ], { id: 'devices' });

  replace(main,
    h('p', {}, h('a', { href: '#/types' }, '← Device types')),
    h('h1', {}, `Devices of type ${type}`),
    h('section', {}, searchForm, searchOut),
    h('section', {}, h('h2', {}, 'Devices'), list),
    h('section', {}, h('h2', {}, 'Register a device'), registerForm, registerOut));
  await show();
}
