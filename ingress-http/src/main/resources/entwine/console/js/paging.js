import { api } from './api.js';
import { h, replace, errorBox, table } from './dom.js';

const PAGE = 50;

/**
 * A list paged with the API's bookmarks: the bookmarks of the pages seen are kept, so Previous
 * goes back without reading everything again; a type of 1,000 devices is 20 pages. `filter()`
 * gives the query parameters that narrow the list (for example `&deviceId=lab-*`); the returned
 * `show(true)` starts again from the first page, as after a new search.
 */
export function pagedList(out, url, columns, attrs, { filter = () => '', empty = 'None yet. New registrations are listed within a few seconds.' } = {}) {
  let bookmarks = [null];
  let index = 0;
  async function show(fromStart = false) {
    if (fromStart) {
      bookmarks = [null];
      index = 0;
    }
    const bookmark = bookmarks[index];
    const narrowed = filter();
    const query = `?_limit=${PAGE}` + narrowed + (bookmark ? `&_bookmark=${encodeURIComponent(bookmark)}` : '');
    out.setAttribute('aria-busy', 'true');
    try {
      const { data } = await api('GET', url + query);
      if (data.bookmark) bookmarks[index + 1] = data.bookmark;
      const previous = h('button', { type: 'button', class: 'secondary', id: 'previous-page', disabled: index === 0, onclick: () => { index--; show(); } }, 'Previous page');
      const next = h('button', { type: 'button', class: 'secondary', id: 'next-page', disabled: !data.bookmark, onclick: () => { index++; show(); } }, 'Next page');
      const total = data.meta ? data.meta.total_rows : data.results.length;
      replace(out,
        data.results.length === 0 ? h('p', { class: 'muted' }, narrowed ? 'Nothing matches the search.' : empty)
          : table(columns, data.results, attrs),
        h('div', { class: 'pager' }, previous,
          h('button', { type: 'button', class: 'secondary', id: 'refresh-list', onclick: () => show() }, 'Refresh'),
          h('span', { class: 'muted', id: 'page-status', 'aria-live': 'polite' }, `Page ${index + 1} · ${data.results.length} shown of ${total}`), next));
    } catch (e) {
      replace(out, errorBox(e));
    } finally {
      out.setAttribute('aria-busy', 'false');
    }
  }
  return show;
}

/**
 * A search form that narrows a paged list to ids starting with what is typed (an empty field
 * lists everything again); `param` is the list's filter parameter (`deviceId`, `id`).
 */
export function prefixSearch(label, inputId, param) {
  let prefix = '';
  const form = h('form', { role: 'search', 'aria-label': label },
    h('label', {}, label, h('input', { name: 'prefix', id: inputId, maxlength: 32, pattern: '[A-Za-z0-9_.\\-]*' })),
    h('button', { type: 'submit' }, 'Search'));
  return {
    form,
    filter: () => (prefix ? `&${param}=${encodeURIComponent(prefix + '*')}` : ''),
    onSearch(show) {
      form.addEventListener('submit', (event) => {
        event.preventDefault();
        prefix = form.elements.prefix.value.trim();
        show(true);
      });
    },
  };
}
