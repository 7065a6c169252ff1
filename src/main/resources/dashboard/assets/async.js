// Asynchronous invocations (GET /invocations), filtered by function and status; the dead-letter list is the failed
// ones. Failed, expired and cancelled jobs can be retried, queued ones cancelled; a row opens the job's record.

import {api, get, seg} from './api.js';
import {badge, button, changes, fill, h, ms, pretty, table, when} from './dom.js';

const STATUSES = ['queued', 'running', 'succeeded', 'failed', 'expired', 'cancelled'];
const RETRYABLE = new Set(['failed', 'expired', 'cancelled']);

export function render(root, filters, app) {
  const fn = h('input', {id: 'async-function', type: 'search', placeholder: 'any function', value: filters.function,
    list: 'async-function-names'});
  const names = h('datalist', {id: 'async-function-names'});
  const status = h('select', {id: 'async-status', disabled: Boolean(filters.deadLetters)},
    h('option', {value: ''}, 'any status'), STATUSES.map(s => h('option', {value: s}, s)));
  status.value = filters.status;
  const limit = h('select', {id: 'async-limit'}, [20, 50, 100, 500].map(n => h('option', {value: n}, String(n))));
  limit.value = '50';
  const list = h('div', {id: 'async-list'});
  const expanded = new Map(); // invocation id → its detail row, kept open across refreshes

  root.append(h('section', {class: 'card'},
    h('div', {class: 'card-head'},
      h('h2', {}, filters.deadLetters ? 'Dead letters' : 'Asynchronous invocations'),
      h('div', {class: 'row'}, h('label', {}, 'Function ', fn, names),
        filters.deadLetters ? null : h('label', {}, 'Status ', status), h('label', {}, 'Show ', limit))),
    h('p', {class: 'muted'}, filters.deadLetters
      ? 'Jobs that failed every attempt. Retry one to queue it again with fresh attempts.'
      : 'Jobs sent with POST /async/:name and schedule firings, newest first. Click one to see its record.'),
    list));

  const drawn = changes();
  const refresh = async () => {
    const query = new URLSearchParams({limit: limit.value});
    if (fn.value.trim()) query.set('function', fn.value.trim());
    if (status.value) query.set('status', status.value);
    try {
      const answer = await get(`/invocations?${query}`);
      if (drawn.changed(answer)) show(answer.invocations);
    } catch (e) {
      drawn.forget();
      fill(list, h('p', {class: 'error', id: 'async-error'}, e.message));
    }
  };
  /** After a change of filter or an action: drawn again even if the answer is the same. */
  const reload = () => {
    drawn.forget();
    refresh();
  };
  const show = jobs => {
    if (jobs.length === 0) {
      fill(list, h('p', {class: 'empty'}, filters.deadLetters ? 'No dead letters.' : 'No asynchronous invocations.'));
      return;
    }
    const rows = [];
    for (const job of jobs) {
      const row = h('tr', {class: 'clickable', dataset: {id: job.invocationId, status: job.status},
        onclick: event => { if (event.target.tagName !== 'BUTTON') toggle(job.invocationId, row); }},
      h('td', {}, when(job.createdAt)),
      h('td', {}, h('code', {}, job.invocationId)),
      h('td', {}, h('a', {href: `#/fn/${seg(job.function)}`}, job.function)),
      h('td', {class: 'num'}, job.version ? `v${job.version}` : '—'),
      h('td', {}, badge(job.status)),
      h('td', {class: 'num'}, job.attempts),
      h('td', {}, job.status === 'queued' && job.nextAttemptAt ? ['next ', when(job.nextAttemptAt)] : when(job.finishedAt)),
      h('td', {class: 'error-cell'}, job.error ? `${job.error.code}: ${job.error.message}` : ''),
      h('td', {class: 'actions'},
        RETRYABLE.has(job.status) ? button('Retry', () => act('POST', `/invocations/${seg(job.invocationId)}/retry`,
          `Queued ${job.invocationId} again`), {id: `retry-${job.invocationId}`}) : null,
        job.status === 'queued' ? button('Cancel', () => act('DELETE', `/invocations/${seg(job.invocationId)}`,
          `Cancelled ${job.invocationId}`), {class: 'danger', id: `cancel-${job.invocationId}`}) : null));
      rows.push(row);
      const detail = expanded.get(job.invocationId);
      if (detail) rows.push(detail);
    }
    fill(list, table(['Created', 'Invocation', 'Function', 'Version', 'Status', 'Attempts', 'Finished', 'Error', ''],
      rows, {class: 'list', id: 'async-table'}));
  };
  const toggle = async (id, row) => {
    if (expanded.has(id)) {
      expanded.get(id).remove();
      expanded.delete(id);
      return;
    }
    const cell = h('td', {colSpan: 9}, h('p', {class: 'muted'}, 'Loading…'));
    const detail = h('tr', {class: 'detail', dataset: {detail: id}}, cell);
    expanded.set(id, detail);
    row.after(detail);
    try {
      fill(cell, record(await get(`/invocations/${seg(id)}`)));
    } catch (e) {
      fill(cell, h('p', {class: 'error'}, e.message));
    }
  };
  const act = async (method, path, done) => {
    try {
      await api(method, path);
      app.notify(done);
    } catch (e) {
      app.notify(e.message, 'error');
    }
    reload();
  };
  // The name field's "input" already fetched what it shows: its "change" (on leaving it) would fetch it again.
  for (const input of [status, limit]) input.addEventListener('change', reload);
  fn.addEventListener('input', reload);
  const listNames = info => {
    const options = document.createDocumentFragment();
    for (const f of info.functions) options.append(h('option', {value: f.name}));
    names.replaceChildren(options);
  };
  if (app.info) listNames(app.info);
  refresh();
  return {
    update(info) {
      listNames(info);
      refresh();
    },
  };
}

function record(job) {
  const result = job.result;
  return h('div', {class: 'record'},
    h('p', {class: 'muted'}, [
      `attempts ${job.attempts}`, job.startedAt ? `started ${new Date(job.startedAt).toLocaleString()}` : null,
      job.durationMs !== undefined && job.durationMs !== null ? `duration ${ms(job.durationMs)}` : null,
      job.outcome ? `outcome ${job.outcome}` : null,
    ].filter(Boolean).join(' · ')),
    job.error ? h('p', {class: 'error'}, `${job.error.code}: ${job.error.message}`) : null,
    result ? [h('h3', {}, `Result: ${result.statusCode}`),
      h('pre', {class: 'body'}, result.bodyEncoding === 'base64' ? `(base64) ${result.body}` : pretty(result.body ?? ''))] : null,
    h('h3', {}, 'Logs of the last attempt'),
    h('pre', {class: 'logs'}, job.logs || '(it printed nothing)'));
}
