// Building the page from data. Everything that comes from the server or a function goes in as text (text nodes,
// textContent, attribute values): never as HTML. The page's CSP requires Trusted Types with no policy, so the
// browser itself refuses any HTML parsed from a string.

/** An element: h('td', {class: 'num'}, 'text', child, ...). Strings and numbers become text nodes; null is skipped. */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith('on')) el.addEventListener(name.slice(2), value);
    else if (name === 'dataset') Object.assign(el.dataset, value);
    else if (name in el && typeof value !== 'string') el[name] = value;
    else el.setAttribute(name, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces what `el` holds. */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** A table: headers (strings) and rows (arrays of cells), built off-document in one fragment. */
export function table(headers, rows, attrs = {}) {
  const body = document.createDocumentFragment();
  for (const row of rows) body.append(row instanceof Node ? row : h('tr', {}, row.map(cell => cell instanceof Node && cell.tagName === 'TD' ? cell : h('td', {}, cell))));
  return h('table', attrs, h('thead', {}, h('tr', {}, headers.map(t => h('th', {}, t)))), h('tbody', {}, body));
}

export function button(text, onclick, attrs = {}) {
  return h('button', {type: 'button', onclick, ...attrs}, text);
}

/**
 * For a view drawn again from each poll's answer: changed(data) is true when `data` differs from what it was at the
 * last true (or 30 s have passed, so that the "… ago" times move on); forget() makes the next one true. Drawing only
 * then leaves a row being clicked where it is.
 */
export function changes() {
  let last = null;
  return {
    changed(data) {
      const state = JSON.stringify(data) + Math.floor(Date.now() / 30000);
      if (state === last) return false;
      last = state;
      return true;
    },
    forget() {
      last = null;
    },
  };
}

/** "12 s ago", "in 3 min", or the date for times a day or more away; the exact time as a tooltip. */
export function when(iso) {
  if (!iso) return h('span', {class: 'muted'}, '—');
  const date = new Date(iso);
  const seconds = Math.round((Date.now() - date.getTime()) / 1000);
  const away = Math.abs(seconds);
  const amount = away < 60 ? `${away} s` : away < 3600 ? `${Math.floor(away / 60)} min`
    : away < 86400 ? `${Math.floor(away / 3600)} h` : null;
  const text = away < 5 ? 'just now' : amount === null ? date.toLocaleString()
    : seconds > 0 ? `${amount} ago` : `in ${amount}`;
  return h('time', {datetime: iso, title: date.toISOString()}, text);
}

export function ms(value) {
  if (value === null || value === undefined) return '—';
  return value >= 10000 ? `${(value / 1000).toFixed(1)} s` : `${value} ms`;
}

export function bytes(value) {
  if (value === null || value === undefined) return '—';
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let v = value, i = 0;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}

/** A status word as a coloured badge: ok/succeeded green, error/failed red, and so on. */
export function badge(status) {
  if (status === null || status === undefined) return h('span', {class: 'muted'}, '—');
  return h('span', {class: `badge badge-${String(status).replace(/[^a-z_]/g, '')}`}, String(status));
}

/** A JSON text pretty-printed, anything else as it is. */
export function pretty(text) {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}
