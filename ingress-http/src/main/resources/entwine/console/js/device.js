import { api, path, decodePayload, ApiError } from './api.js';
import { h, replace, errorBox, okBox, json, table, time } from './dom.js';
import { liveEvents } from './live.js';
import { commands } from './commands.js';
import { historyChart } from './chart.js';

/** One device: registration, attributes, state, last and live events, commands and history. */
export async function device(main, [type, id]) {
  const base = '/api/v0002/device/types' + path(type, 'devices', id);
  let registration;
  try {
    registration = (await api('GET', base)).data;
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) throw new Error(`404: no device '${id}' of type ${type} in your organization.`);
    throw e;
  }
  const sections = {
    state: h('section', { id: 'state', 'aria-labelledby': 'state-title' }),
    events: h('section', { id: 'last-events', 'aria-labelledby': 'events-title' }),
    live: h('section', { id: 'live', 'aria-labelledby': 'live-title' }),
    commands: h('section', { id: 'commands', 'aria-labelledby': 'commands-title' }),
    chart: h('section', { id: 'history', 'aria-labelledby': 'history-title' }),
    attributes: h('div'),
  };
  replace(main,
    h('p', {}, h('a', { href: '#/types/' + encodeURIComponent(type) }, `← Devices of type ${type}`)),
    h('h1', {}, `${type} / ${id}`),
    h('div', { class: 'grid' },
      h('section', { id: 'registration' }, h('h2', {}, 'Registration'),
        table([['', (r) => r[0]], ['', (r) => r[1]]], [
          ['Client id', registration.clientId],
          ['Registered', time(registration.registration && registration.registration.date)],
          ['By', registration.registration && registration.registration.auth ? registration.registration.auth.id : ''],
        ]),
        h('h3', {}, 'Device info'), json(registration.deviceInfo || {}),
        h('h3', {}, 'Metadata'), json(registration.metadata || {}),
        h('h3', {}, 'Attributes'), sections.attributes),
      sections.state),
    sections.events, sections.live, sections.commands, sections.chart);

  const stops = [];
  const fieldsSeen = await Promise.all([
    showAttributes(sections.attributes, base),
    stateEditor(sections.state, base),
    lastEvents(sections.events, base),
  ]).then((results) => results[2]);
  stops.push(liveEvents(sections.live, type, id));
  stops.push(commands(sections.commands, type, id));
  historyChart(sections.chart, type, id, fieldsSeen);
  return () => stops.forEach((stop) => stop());
}

async function showAttributes(out, base) {
  try {
    replace(out, json((await api('GET', base + '/attributes')).data));
  } catch (e) {
    replace(out, errorBox(e));
  }
}

/** The state document; desired is written with If-Match, so a concurrent change is a 412 shown here. */
async function stateEditor(out, base) {
  const view = h('div');
  const result = h('div');
  const editor = h('textarea', { id: 'desired-editor', name: 'desired', rows: 6, spellcheck: 'false' });
  const version = h('span', { id: 'state-version' });
  let loaded = null;

  function render(doc) {
    loaded = doc;
    version.textContent = String(doc.version);
    replace(view,
      h('div', { class: 'grid' },
        h('div', {}, h('h3', {}, 'Reported'), json(doc.reported)),
        h('div', {}, h('h3', {}, 'Desired'), json(doc.desired)),
        h('div', {}, h('h3', {}, 'Delta'), h('div', { id: 'state-delta' }, json(doc.delta)))));
    editor.value = JSON.stringify(doc.desired, null, 2);
  }
  async function reload() {
    replace(result);
    try {
      render((await api('GET', base + '/state')).data);
    } catch (e) {
      replace(result, errorBox(e));
    }
  }
  const form = h('form', { class: 'stacked', 'aria-label': 'Edit the desired state' },
    h('label', { for: 'desired-editor' }, 'Desired state (JSON object; replaces the whole desired state)'), editor,
    h('div', {}, h('button', { type: 'submit', id: 'save-desired' }, 'Save desired state'), ' ',
      h('button', { type: 'button', class: 'secondary', onclick: reload }, 'Reload')));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    replace(result);
    let desired;
    try {
      desired = JSON.parse(editor.value);
    } catch (e) {
      replace(result, errorBox('The desired state is not valid JSON: ' + e.message));
      return;
    }
    try {
      const { data } = await api('PUT', base + '/state/desired', { json: desired, headers: { 'If-Match': `"${loaded.version}"` } });
      render(data);
      replace(result, okBox(`Saved: the state is now at version ${data.version}.`));
    } catch (e) {
      if (e instanceof ApiError && e.status === 412) {
        replace(result, h('div', { class: 'error', role: 'alert', id: 'state-conflict' },
          `Conflict: the state changed since version ${loaded.version} (it is now at version ${e.body && e.body.version}). `
          + 'Your edit was not saved. Reload to see the current state, then edit again.'));
      } else {
        replace(result, errorBox(e));
      }
    }
  });
  replace(out, h('h2', { id: 'state-title' }, 'State ', h('span', { class: 'badge' }, 'version ', version)), view, form, result);
  await reload();
}

/** The newest event per event id; answers the numeric fields seen, for the chart's field list. */
async function lastEvents(out, base) {
  const numeric = new Set();
  try {
    const { data } = await api('GET', base + '/events');
    const rows = data.map((e) => {
      const text = decodePayload(e.payload);
      if (e.format === 'json' && text !== null) {
        try {
          collectNumeric(JSON.parse(text), numeric);
        } catch { /* not JSON after all: shown as text */ }
      }
      return { ...e, text };
    });
    replace(out, h('h2', { id: 'events-title' }, 'Last events'),
      rows.length === 0 ? h('p', { class: 'muted' }, 'No events yet.')
        : table([
          ['Event', (e) => e.eventId],
          ['Format', (e) => e.format],
          ['Time', (e) => time(e.timestamp)],
          ['Payload', (e) => (e.text === null ? h('span', { class: 'muted' }, `${e.payload.length} base64 characters`) : h('code', {}, e.text))],
        ], rows, { id: 'events' }));
  } catch (e) {
    replace(out, h('h2', { id: 'events-title' }, 'Last events'), errorBox(e));
  }
  return [...numeric];
}

/** Numeric leaves by dotted path, as the historian names them (IOTF payloads: under `d`). */
function collectNumeric(value, into) {
  const root = value && typeof value === 'object' && value.d && typeof value.d === 'object' ? value.d : value;
  (function walk(node, prefix) {
    if (!node || typeof node !== 'object' || Array.isArray(node)) return;
    for (const [k, v] of Object.entries(node)) {
      const name = prefix ? prefix + '.' + k : k;
      if (typeof v === 'number') into.add(name);
      else walk(v, name);
    }
  })(root, '');
}
