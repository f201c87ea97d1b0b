import { api, session } from './api.js';
import { h, replace, onSubmit } from './dom.js';

/** Sign in with an API key (an application of one organization) or with the operator token. */
export function signIn(main) {
  const keyOut = h('div');
  const keyForm = h('form', { class: 'stacked', 'aria-labelledby': 'signin-key' },
    h('label', {}, 'API key', h('input', { name: 'key', id: 'api-key', required: true, autocomplete: 'username', placeholder: 'a-acme-k2j9x0w1qz' })),
    h('label', {}, 'Token', h('input', { name: 'token', id: 'api-token', type: 'password', required: true, autocomplete: 'current-password' })),
    h('button', { type: 'submit', id: 'sign-in' }, 'Sign in'));
  onSubmit(keyForm, keyOut, async ({ key, token }) => {
    session.set({ kind: 'apikey', key, token });
    try {
      // the key names its organization; the API checks the token and answers that organization
      const { data } = await api('GET', '/api/v0002');
      session.set({ kind: 'apikey', key, token, org: data.id, orgName: data.name });
    } catch (e) {
      session.clear();
      throw e;
    }
    location.hash = '#/types';
  });

  const operatorOut = h('div');
  const operatorForm = h('form', { class: 'stacked', 'aria-labelledby': 'signin-operator' },
    h('label', {}, 'Operator token', h('input', { name: 'token', id: 'operator-token', type: 'password', required: true })),
    h('button', { type: 'submit', id: 'operator-sign-in' }, 'Sign in as operator'));
  onSubmit(operatorForm, operatorOut, async ({ token }) => {
    session.set({ kind: 'operator', token });
    try {
      await api('GET', '/api/v0002/admin/projections');
    } catch (e) {
      session.clear();
      throw e;
    }
    location.hash = '#/operator';
  });

  replace(main,
    h('h1', {}, 'Sign in'),
    h('p', { class: 'muted' }, 'Your credentials stay in this browser tab (session storage) and are sent only to this node.'),
    h('div', { class: 'grid' },
      h('section', {}, h('h2', { id: 'signin-key' }, 'With an API key'),
        h('p', { class: 'muted' }, 'The organization is the one the key belongs to.'), keyForm, keyOut),
      h('section', {}, h('h2', { id: 'signin-operator' }, 'As the operator'),
        h('p', { class: 'muted' }, 'Organizations, API keys, cluster members and projection lag.'), operatorForm, operatorOut)));
  main.querySelector('#api-key').focus();
}
