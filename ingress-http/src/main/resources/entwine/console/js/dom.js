// Builds DOM nodes from data without innerHTML, so nothing a device sends is ever parsed as markup.

/** h('a', {href: '#/x', onclick: fn}, 'text', child, [more]) */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on')) el.addEventListener(name.slice(2), value);
    else if (name === 'class') el.className = value;
    else if (name === 'value') el.value = value;
    else el.setAttribute(name, value === true ? '' : value);
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : String(child));
  }
}

export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** An error the person can read, announced to screen readers. */
export function errorBox(error) {
  return h('p', { class: 'error', role: 'alert' }, error && error.message ? error.message : String(error));
}

export function okBox(text) {
  return h('p', { class: 'ok', role: 'status' }, text);
}

export function json(value) {
  return h('pre', {}, JSON.stringify(value, null, 2));
}

export function time(value) {
  if (value === undefined || value === null) return '';
  const date = typeof value === 'object' && value.$date !== undefined ? new Date(value.$date) : new Date(value);
  return isNaN(date) ? String(value) : date.toLocaleString();
}

/** A table from rows; `columns` are [heading, row => cell]. */
export function table(columns, rows, attrs = {}) {
  return h('table', attrs,
    h('thead', {}, h('tr', {}, columns.map(([heading]) => h('th', { scope: 'col' }, heading)))),
    h('tbody', {}, rows.map((row) => h('tr', {}, columns.map(([, cell]) => h('td', {}, cell(row)))))));
}

/** A form's named fields as an object of trimmed strings. */
export function fields(form) {
  const values = {};
  for (const [name, value] of new FormData(form).entries()) values[name] = String(value).trim();
  return values;
}

/** Runs an async action on submit, showing its error (or nothing) in `out`. */
export function onSubmit(form, out, action) {
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const button = form.querySelector('button[type=submit]');
    if (button) button.disabled = true;
    replace(out);
    try {
      await action(fields(form));
    } catch (e) {
      replace(out, errorBox(e));
    } finally {
      if (button) button.disabled = false;
    }
  });
  return form;
}

/**
 * A button that asks once more before a destructive action (a second press confirms), so no
 * modal dialog takes the keyboard away. `action` gets the button; its error is shown after it.
 */
export function confirmButton(label, ariaLabel, question, action) {
  return h('button', {
    type: 'button', class: 'danger', 'aria-label': ariaLabel,
    onclick: async (event) => {
      const button = event.currentTarget;
      if (button.dataset.armed !== 'yes') {
        button.dataset.armed = 'yes';
        button.textContent = question;
        return;
      }
      try {
        await action(button);
      } catch (e) {
        button.after(errorBox(e));
      }
    },
  }, label);
}
