// The console's router: one view per hash route; a view may return a function that stops what it
// started (timers, the live stream) when the person leaves it.
import { session } from './api.js';
import { h, replace, errorBox } from './dom.js';
import { signIn } from './signin.js';
import { operator } from './operator.js';
import { deviceTypes, devices } from './devices.js';
import { device } from './device.js';

const routes = [
  [/^#\/signin$/, signIn],
  [/^#\/operator$/, operator],
  [/^#\/types$/, deviceTypes],
  [/^#\/types\/([^/]+)$/, devices],
  [/^#\/types\/([^/]+)\/devices\/([^/]+)$/, device],
];

const main = document.getElementById('view');
const nav = document.getElementById('nav');
const notice = document.getElementById('notice');
let stopView = null;

function home(current) {
  if (!current) return '#/signin';
  return current.kind === 'operator' ? '#/operator' : '#/types';
}

function renderNav(current) {
  const signOut = h('button', {
    type: 'button', class: 'link', onclick: () => {
      session.clear();
      location.hash = '#/signin';
    },
  }, 'Sign out');
  if (!current) return replace(nav);
  if (current.kind === 'operator') {
    return replace(nav, h('a', { href: '#/operator' }, 'Operator'), h('span', { class: 'who' }, 'operator'), signOut);
  }
  return replace(nav, h('a', { href: '#/types' }, 'Device types'),
    h('span', { class: 'who' }, `${current.key} · organization ${current.org}`), signOut);
}

async function route() {
  if (stopView) {
    stopView();
    stopView = null;
  }
  const current = session.get();
  renderNav(current);
  const hash = location.hash || '';
  if (!current && hash !== '#/signin') {
    location.replace('#/signin');
    return;
  }
  for (const [pattern, view] of routes) {
    const match = hash.match(pattern);
    if (!match) continue;
    replace(main, h('p', { class: 'muted' }, 'Loading…'));
    try {
      const params = match.slice(1).map(decodeURIComponent);
      stopView = (await view(main, params)) || null;
    } catch (e) {
      replace(main, errorBox(e));
    }
    // to the new content, unless the view put the focus on its first field itself
    if (!main.contains(document.activeElement)) main.focus();
    return;
  }
  location.replace(home(current));
}

window.addEventListener('entwine:unauthorized', () => {
  if (!session.get()) return;
  session.clear();
  replace(notice, errorBox('The API refused your credentials (401). Please sign in again.'));
  location.hash = '#/signin';
});
window.addEventListener('hashchange', () => {
  replace(notice);
  route();
});
route();
