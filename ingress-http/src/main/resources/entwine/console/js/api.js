// The console's only way to the node: the public HTTP API, with the signed-in person's credentials.
// Credentials live in sessionStorage, so they end with the browser tab.
const SESSION = 'entwine.console.session';

export const session = {
  get() {
    try {
      return JSON.parse(sessionStorage.getItem(SESSION));
    } catch {
      return null;
    }
  },
  set(value) {
    sessionStorage.setItem(SESSION, JSON.stringify(value));
  },
  clear() {
    sessionStorage.removeItem(SESSION);
  },
};

const REASONS = {
  400: 'Bad request', 401: 'Not signed in', 403: 'Forbidden', 404: 'Not found', 409: 'Conflict',
  412: 'Changed meanwhile', 413: 'Too large', 415: 'Unsupported type', 429: 'Limit reached',
  500: 'Server error', 503: 'Unavailable', 504: 'No answer in time',
};

export class ApiError extends Error {
  constructor(status, message, body) {
    super(message);
    this.status = status;
    this.body = body;
  }
}

/** A URL path from segments, each percent-encoded. */
export function path(...segments) {
  return '/' + segments.map((s) => encodeURIComponent(s)).join('/');
}

function base64(text) {
  const bytes = new TextEncoder().encode(text);
  let binary = '';
  bytes.forEach((b) => (binary += String.fromCharCode(b)));
  return btoa(binary);
}

function authorization(current) {
  if (!current) return null;
  return current.kind === 'operator'
    ? 'Bearer ' + current.token
    : 'Basic ' + base64(current.key + ':' + current.token);
}

function messageOf(status, body) {
  const detail = body && typeof body === 'object' && body.message ? body.message
    : typeof body === 'string' ? body : '';
  return `${status} ${REASONS[status] || 'Error'}${detail ? ': ' + detail : ''}`;
}

/**
 * Calls the API. Resolves to {status, data, headers}; rejects with an ApiError whose message is
 * the API's own. `credentials: 'omit'` keeps the browser from offering its own login dialog.
 */
export async function api(method, url, { json, body, contentType, headers = {} } = {}) {
  const sent = { Accept: 'application/json', ...headers };
  const auth = authorization(session.get());
  if (auth) sent.Authorization = auth;
  let payload = body;
  if (json !== undefined) {
    payload = JSON.stringify(json);
    sent['Content-Type'] = contentType || 'application/json';
  } else if (contentType) {
    sent['Content-Type'] = contentType;
  }
  let response;
  try {
    response = await fetch(url, { method, headers: sent, body: payload, credentials: 'omit', cache: 'no-store' });
  } catch (e) {
    throw new ApiError(0, 'The node cannot be reached (' + e.message + ')');
  }
  const text = await response.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = text;
    }
  }
  if (!response.ok) {
    if (response.status === 401) window.dispatchEvent(new CustomEvent('entwine:unauthorized'));
    throw new ApiError(response.status, messageOf(response.status, data), data);
  }
  return { status: response.status, data, headers: response.headers };
}

/** The text of a base64 payload (UTF-8), or null when it is not text. */
export function decodePayload(payload) {
  try {
    const binary = atob(payload || '');
    const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}
