import { api, decodePayload } from './api.js';
import { h, replace, time } from './dom.js';

const KINDS = ['event', 'status', 'command', 'state'];
const KEEP = 200;

/**
 * The device's live events from the application stream (Server-Sent Events). EventSource cannot
 * send credentials, so it takes a short-lived stream token; when the stream ends (e.g. the token
 * expired) a new token resumes it from the last message seen. Answers a function that stops it.
 */
export function liveEvents(section, type, id) {
  const status = h('p', { id: 'live-status', class: 'muted', role: 'status' }, 'Connecting…');
  const list = h('ol', { class: 'live', id: 'live-events', 'aria-label': 'Live events, newest first' });
  replace(section, h('h2', { id: 'live-title' }, 'Live events'), status, list);
  let source = null;
  let retry = null;
  let stopped = false;
  let lastEventId = null;

  async function connect() {
    let token;
    try {
      token = (await api('POST', '/api/v0002/streams/tokens')).data.token;
    } catch (e) {
      if (e.status === 404) {
        status.textContent = 'Live events unavailable: this node has no event stream (the stream token request answered 404).';
        status.dataset.state = 'unavailable';
        return;
      }
      status.textContent = `Live events interrupted (${e.message}); retrying in 5 s.`;
      if (!stopped) retry = setTimeout(connect, 5000);
      return;
    }
    if (stopped) return;
    const query = new URLSearchParams({ token, typeId: type, deviceId: id });
    if (lastEventId) query.set('lastEventId', lastEventId);
    source = new EventSource('/api/v0002/streams/events?' + query);
    source.onopen = () => {
      status.textContent = 'Live: connected.';
      status.dataset.state = 'connected';
    };
    source.onerror = () => {
      if (source.readyState !== EventSource.CLOSED) {
        status.textContent = 'Live: reconnecting…';
        return;
      }
      source.close();
      status.textContent = 'Live: disconnected; reconnecting in 3 s.';
      if (!stopped) retry = setTimeout(connect, 3000);
    };
    // the node dropped messages this page was too slow for; the stream goes on after them
    source.addEventListener('overflow', () => {
      list.prepend(h('li', { 'data-kind': 'overflow' }, h('span', { class: 'badge' }, 'gap'), ' some messages were dropped here (the page fell behind)'));
    });
    for (const kind of KINDS) {
      source.addEventListener(kind, (message) => {
        if (message.lastEventId) lastEventId = message.lastEventId;
        show(kind, message.data);
      });
    }
  }

  function show(kind, text) {
    let data;
    try {
      data = JSON.parse(text);
    } catch {
      data = { raw: text };
    }
    list.prepend(h('li', { 'data-kind': kind }, h('span', { class: 'badge' }, kind), ' ', time(data.timestamp), ' ', describe(kind, data)));
    while (list.children.length > KEEP) list.lastElementChild.remove();
  }

  connect();
  return () => {
    stopped = true;
    clearTimeout(retry);
    if (source) source.close();
  };
}

function describe(kind, data) {
  switch (kind) {
    case 'event': {
      const body = data.data !== undefined ? JSON.stringify(data.data) : decodePayload(data.payload) ?? `${(data.payload || '').length} base64 characters`;
      return `${data.eventId} (${data.format}): ${body}`;
    }
    case 'status':
      return `${data.action}`;
    case 'command':
      return `${data.commandName} ${data.commandId}: ${typeof data.status === 'string' ? data.status : JSON.stringify(data.status)}`;
    case 'state':
      return `version ${data.version}` + (data.delta ? ` delta ${JSON.stringify(data.delta)}` : '');
    default:
      return JSON.stringify(data);
  }
}
