import { api, path, decodePayload } from './api.js';
import { h, replace, errorBox, okBox, table, time, onSubmit } from './dom.js';

const FORMATS = { json: 'application/json', text: 'text/plain' };

/** Sends a command and follows its lifecycle (queued → delivered → responded, or expired). */
export function commands(section, type, id) {
  const base = '/api/v0002/application/types' + path(type, 'devices', id, 'commands');
  const out = h('div');
  const list = h('div');
  let sent = null;
  const form = h('form', { class: 'stacked', 'aria-label': 'Send a command' },
    h('div', { class: 'grid' },
      h('label', {}, 'Command name', h('input', { name: 'name', id: 'command-name', required: true, pattern: '[A-Za-z0-9_.\\-]{1,32}' })),
      h('label', {}, 'Format', h('select', { name: 'format', id: 'command-format' },
        h('option', { value: 'json' }, 'JSON'), h('option', { value: 'text' }, 'text')))),
    h('label', {}, 'Payload', h('textarea', { name: 'payload', id: 'command-payload', rows: 3, spellcheck: 'false' }, '{}')),
    h('div', {}, h('button', { type: 'submit', id: 'send-command' }, 'Send command')));
  onSubmit(form, out, async ({ name, format, payload }) => {
    const { data } = await api('POST', base + path(name), { body: payload, contentType: FORMATS[format] });
    sent = data.commandId;
    replace(out, okBox(`Command ${name} queued as ${data.commandId}; its status follows below.`));
    await refresh();
  });

  async function refresh() {
    try {
      const { data } = await api('GET', base);
      const rows = [...data].reverse();
      replace(list, rows.length === 0 ? h('p', { class: 'muted' }, 'No commands.')
        : table([
          ['Command', (c) => c.command],
          ['Id', (c) => (c.commandId === sent ? h('strong', {}, c.commandId) : c.commandId)],
          ['Status', (c) => h('span', { class: 'badge', 'data-command-status': c.status }, c.status)],
          ['Queued', (c) => time(c.queuedAt)],
          ['Expires', (c) => time(c.expiresAt)],
          ['Response', (c) => (c.response ? `${c.response.status}: ${decodePayload(c.response.payload) ?? ''}` : '')],
        ], rows, { id: 'command-list' }));
    } catch (e) {
      replace(list, errorBox(e));
    }
  }

  replace(section, h('h2', { id: 'commands-title' }, 'Commands'), form, out,
    h('h3', {}, 'Recent commands (refreshed every 2 s)'), list);
  refresh();
  const timer = setInterval(refresh, 2000);
  return () => clearInterval(timer);
}
