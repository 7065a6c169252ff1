// The functions: their statistics from GET /info, a chart of invocations and errors per second, and deploying.

import {seg} from './api.js';
import {badge, changes, h, ms, when} from './dom.js';
import {rateChart} from './chart.js';
import {deployPanel} from './deploy.js';

const HEADERS = ['Name', 'Version', 'Invocations', 'Errors', 'Last status', 'Last duration', 'Last invoked',
  'Containers', 'Async queued', 'Async failed'];

export function render(root, app, {filter = ''} = {}) {
  const chart = rateChart();
  const count = h('span', {class: 'muted'});
  const search = h('input', {id: 'function-filter', type: 'search', placeholder: 'Filter by name', value: filter});
  const tbody = h('tbody', {id: 'function-rows'});
  const empty = h('p', {class: 'empty', hidden: true}, 'No functions yet: deploy a zip with an index.js above.');
  root.append(
    h('div', {class: 'columns'},
      h('section', {class: 'card grow'}, h('h2', {}, 'Invocations per second'), chart.el),
      h('section', {class: 'card'}, h('h2', {}, 'Deploy'), deployPanel(app))),
    h('section', {class: 'card'},
      h('div', {class: 'card-head'}, h('h2', {}, 'Functions ', count), search),
      h('table', {id: 'functions', class: 'list'},
        h('thead', {}, h('tr', {}, HEADERS.map(t => h('th', {}, t)))), tbody),
      empty));

  const drawn = changes();
  const show = info => {
    const needle = search.value.trim().toLowerCase();
    const shown = info.functions.filter(f => f.name.toLowerCase().includes(needle));
    count.textContent = needle ? `(${shown.length} of ${info.count})` : `(${info.count})`;
    if (!drawn.changed(shown)) return;
    // One fragment, one replacement: 200 rows cost one layout.
    const rows = document.createDocumentFragment();
    for (const f of shown) rows.append(row(f));
    tbody.replaceChildren(rows);
    empty.hidden = info.count > 0;
  };
  search.addEventListener('input', () => app.info && show(app.info));

  const view = {
    update(info) {
      chart.update();
      show(info);
    },
  };
  if (app.info) view.update(app.info);
  return view;
}

function row(f) {
  const href = `#/fn/${seg(f.name)}`;
  return h('tr', {dataset: {name: f.name}},
    h('td', {}, h('a', {href, class: 'fn-name'}, f.name)),
    h('td', {class: 'num'}, `v${f.version}`),
    h('td', {class: 'num'}, f.invokeCount.toLocaleString()),
    h('td', {class: `num${f.errorCount ? ' bad' : ''}`}, f.errorCount.toLocaleString()),
    h('td', {}, badge(f.lastStatus)),
    h('td', {class: 'num'}, ms(f.lastDurationMs)),
    h('td', {}, when(f.lastInvokedAt)),
    h('td', {}, containers(f.containers)),
    h('td', {class: 'num'}, f.asyncQueued ?? '—'),
    h('td', {class: 'num'}, f.asyncFailed
      ? h('a', {href: `#/dead-letters?function=${seg(f.name)}`, class: 'bad'}, String(f.asyncFailed))
      : (f.asyncFailed ?? '—')));
}

/** "1 busy · 2 warm", or a dash when it has none. */
export function containers(c) {
  if (!c) return '—';
  const parts = ['busy', 'warm', 'starting', 'removing'].filter(state => c[state] > 0).map(state => `${c[state]} ${state}`);
  return parts.length ? parts.join(' · ') : h('span', {class: 'muted'}, 'none');
}
