// One function: its statistics, invoking it, its recent invocations and live logs, versions and rollback, invoke
// keys, settings and deleting it. Whatever the function returns or prints is shown as text.

import {ApiError, api, errorMessage, get, send, seg} from './api.js';
import {badge, button, bytes, fill, h, ms, pretty, table, when} from './dom.js';
import {rateChart} from './chart.js';
import {deployPanel} from './deploy.js';
import {containers} from './functions.js';
import {follow} from './follow.js';

const TABS = [['invoke', 'Invoke'], ['logs', 'Recent invocations'], ['live', 'Live logs'], ['versions', 'Versions'],
  ['keys', 'Invoke keys'], ['settings', 'Settings']];

export function render(root, name, tab, app) {
  const chart = rateChart(name);
  const stats = h('dl', {class: 'stats', id: 'function-stats'});
  const body = h('section', {class: 'card', id: `tab-${tab}`});
  root.append(
    h('div', {class: 'title'},
      h('a', {href: '#/functions', class: 'quiet'}, 'Functions'), ' / ',
      h('h1', {id: 'function-name'}, name)),
    h('div', {class: 'columns'}, h('section', {class: 'card grow'}, stats), h('section', {class: 'card grow'}, chart.el)),
    h('nav', {class: 'tabs'}, TABS.map(([id, label]) =>
      h('a', {href: `#/fn/${seg(name)}/${id}`, class: id === tab ? 'active' : null, id: `tab-link-${id}`}, label))),
    body);

  const tabView = ({invoke, logs, live, versions, keys, settings}[tab] ?? invoke)(body, name, app);
  const view = {
    update(info) {
      chart.update();
      const f = info.functions.find(x => x.name === name);
      fill(stats, f ? statistics(f) : h('p', {class: 'error'}, `There is no function ${name} (any more).`));
      tabView?.update?.(f);
    },
    dispose() {
      tabView?.dispose?.();
    },
  };
  if (app.info) view.update(app.info);
  return view;
}

/** One figure of a <dl class="stats">. */
const item = (label, value, id) => h('div', {}, h('dt', {}, label), h('dd', {id}, value));

function statistics(f) {
  return [
    item('Active version', `v${f.version}`, 'stat-version'),
    item('Invocations', f.invokeCount.toLocaleString(), 'stat-invocations'),
    item('Errors', f.errorCount.toLocaleString(), 'stat-errors'),
    item('Last status', badge(f.lastStatus), 'stat-last-status'),
    item('Last duration', ms(f.lastDurationMs)),
    item('Last invoked', when(f.lastInvokedAt)),
    item('Containers', containers(f.containers)),
    item('Async queued / failed', `${f.asyncQueued ?? '—'} / ${f.asyncFailed ?? '—'}`),
    item('Deployed', when(f.createdAt)),
    item('Code', `${bytes(f.codeSizeBytes)}, ${f.fileCount} file${f.fileCount === 1 ? '' : 's'}`),
  ];
}

// ---- Invoke -------------------------------------------------------------------------------------------------------

const METHODS = ['POST', 'GET', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];

function invoke(root, name) {
  const method = h('select', {id: 'invoke-method'}, METHODS.map(m => h('option', {value: m}, m)));
  const version = h('input', {id: 'invoke-version', type: 'number', min: 1, placeholder: 'active', class: 'narrow'});
  const path = h('input', {id: 'invoke-path', type: 'text', placeholder: '/sub/path?q=1', spellcheck: false});
  const headers = h('textarea', {id: 'invoke-headers', rows: 3, spellcheck: false,
    placeholder: 'Content-Type: application/json\nX-Request-Source: dashboard'});
  const bodyInput = h('textarea', {id: 'invoke-body', rows: 6, spellcheck: false, placeholder: '{"name": "world"}'});
  const asyncBox = h('input', {id: 'invoke-async', type: 'checkbox'});
  const submit = h('button', {id: 'invoke-submit', type: 'submit', class: 'primary'}, 'Invoke');
  const result = h('div', {id: 'invoke-result', class: 'invoke-result'});
  const form = h('form', {id: 'invoke-form', class: 'invoke'},
    h('div', {class: 'row'},
      h('label', {}, 'Method ', method),
      h('label', {}, 'Version ', version),
      h('label', {class: 'grow'}, 'Sub-path and query ', path)),
    h('label', {class: 'block'}, 'Headers (one "Name: value" per line)', headers),
    h('label', {class: 'block'}, 'Body', bodyInput),
    h('div', {class: 'row'}, submit,
      h('label', {}, asyncBox, ' Asynchronously (POST /async: queued, retried, seen in Async invocations)'),
      h('span', {class: 'muted'}, 'The response is shown as text, never as a page.')));
  const methodChanged = () => {
    bodyInput.disabled = method.value === 'GET' || method.value === 'HEAD';
  };
  method.addEventListener('change', methodChanged);
  asyncBox.addEventListener('change', () => {
    if (asyncBox.checked) method.value = 'POST';
    method.disabled = asyncBox.checked;
    methodChanged();
  });
  root.append(h('h2', {}, 'Invoke'), form, result);

  form.addEventListener('submit', async event => {
    event.preventDefault();
    let request;
    try {
      request = {
        url: invokeUrl(asyncBox.checked ? 'async' : 'invoke', name, version.value.trim(), path.value.trim()),
        headers: parseHeaders(headers.value),
        body: bodyInput.disabled ? undefined : bodyInput.value,
      };
    } catch (e) {
      fill(result, h('p', {class: 'error', id: 'invoke-error'}, e.message));
      return;
    }
    submit.disabled = true;
    fill(result, h('p', {class: 'muted'}, 'Invoking…'));
    const started = performance.now();
    try {
      const response = await send(method.value, request.url, {headers: request.headers, body: request.body,
        authPrompt: false});
      const text = await response.text();
      const elapsed = Math.round(performance.now() - started);
      if (asyncBox.checked && response.status === 202) showQueued(result, name, JSON.parse(text));
      else showResponse(result, name, response, text, elapsed);
    } catch (e) {
      fill(result, h('p', {class: 'error', id: 'invoke-error'}, `The request failed: ${e.message}`));
    } finally {
      submit.disabled = false;
    }
  });
}

function invokeUrl(route, name, version, path) {
  if (version && !/^[1-9][0-9]*$/.test(version)) throw new Error('The version is a number (1, 2, …), or empty for the active one.');
  let rest = path;
  if (rest && !rest.startsWith('/') && !rest.startsWith('?')) rest = `/${rest}`;
  const pathOnly = rest.split('?')[0];
  // The browser would resolve "." and ".." segments, leaving /invoke/:name: refuse them rather than call another route.
  if (pathOnly.split('/').some(s => /^(\.|%2e){1,2}$/i.test(s))) throw new Error('The sub-path cannot have "." or ".." segments.');
  if (/[#\s]/.test(rest)) throw new Error('The sub-path cannot hold spaces or "#": encode them (%20, %23).');
  return `/${route}/${seg(name)}${version ? `@${version}` : ''}${rest}`;
}

function showQueued(result, name, queued) {
  fill(result,
    h('p', {class: 'status-line'}, h('span', {id: 'invoke-status', class: 'http-status s2xx'}, '202'),
      ' Accepted · queued as ', h('code', {id: 'invoke-id'}, queued.invocationId), ' · ',
      h('a', {href: `#/async?function=${seg(name)}`, id: 'invoke-async-link'}, 'see it in Async invocations')));
}

function parseHeaders(text) {
  const headers = new Headers();
  text.split('\n').map(line => line.trim()).filter(Boolean).forEach((line, i) => {
    const colon = line.indexOf(':');
    if (colon <= 0) throw new Error(`Header line ${i + 1} is not "Name: value": ${line}`);
    try {
      headers.append(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
    } catch {
      throw new Error(`Header line ${i + 1} is not a valid header: ${line}`);
    }
  });
  return headers;
}

async function showResponse(result, name, response, text, elapsed) {
  const id = response.headers.get('X-Glambdar-Invocation-Id');
  const version = response.headers.get('X-Glambdar-Version');
  const contentType = response.headers.get('Content-Type') ?? '';
  const logs = h('pre', {id: 'invoke-logs', class: 'logs'}, id ? 'Loading the logs…' : 'No invocation id: no logs.');
  const report = h('p', {id: 'invoke-report', class: 'muted'});
  fill(result,
    h('p', {class: 'status-line'},
      h('span', {id: 'invoke-status', class: `http-status s${String(response.status)[0]}xx`}, String(response.status)),
      ` ${response.statusText} · ${elapsed} ms in all`,
      version ? ` · version ${version}` : null,
      id ? [' · invocation ', h('code', {id: 'invoke-id'}, id)] : null),
    h('div', {class: 'columns'},
      h('div', {class: 'grow'}, h('h3', {}, 'Response body'),
        h('pre', {id: 'invoke-response-body', class: 'body'}, shown(text, contentType)),
        text.length > MAX_SHOWN ? h('p', {class: 'muted'},
          `Showing the first ${MAX_SHOWN.toLocaleString()} of ${text.length.toLocaleString()} characters.`) : null),
      h('div', {}, h('h3', {}, 'Response headers'),
        table(['Name', 'Value'], [...response.headers].map(([k, v]) => [k, v]), {id: 'invoke-response-headers', class: 'kv'}))),
    h('h3', {}, 'Logs of this invocation'), report, logs);
  if (!id) return;
  const record = await invocationRecord(name, id);
  if (!record) {
    logs.textContent = 'This invocation is not among the recent ones any more.';
    return;
  }
  report.textContent = reportText(record);
  logs.textContent = record.logs || '(it printed nothing)';
}

/** Most characters of a response body put in the page: a 6 MB body would only slow it down. */
const MAX_SHOWN = 200000;

function shown(text, contentType) {
  if (text.length > MAX_SHOWN) return text.slice(0, MAX_SHOWN);
  return contentType.includes('json') ? pretty(text) : text;
}

/** GET /logs/:name/:id, asked again briefly if the record is not written yet. */
async function invocationRecord(name, id) {
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      return await get(`/logs/${seg(name)}/${seg(id)}`);
    } catch (e) {
      if (!(e instanceof ApiError) || e.status !== 404) throw e;
      await new Promise(resolve => setTimeout(resolve, 200 * (attempt + 1)));
    }
  }
  return null;
}

function reportText(r) {
  return [
    `outcome ${r.outcome ?? r.status}`,
    r.statusCode !== null && r.statusCode !== undefined ? `status ${r.statusCode}` : null,
    r.code ? `code ${r.code}` : null,
    `duration ${ms(r.durationMs)}`,
    r.coldStart ? `cold start, init ${ms(r.initDurationMs)}` : 'warm',
    r.maxMemoryBytes ? `max memory ${bytes(r.maxMemoryBytes)}` : null,
  ].filter(Boolean).join(' · ');
}

// ---- Recent invocations -------------------------------------------------------------------------------------------

function logs(root, name) {
  const list = h('div', {id: 'recent'});
  const refresh = async () => {
    try {
      const answer = await get(`/logs/${seg(name)}`);
      if (answer.invocations.length === 0) {
        fill(list, h('p', {class: 'empty'}, 'No invocations yet.'));
        return;
      }
      const rows = [];
      for (const r of answer.invocations) {
        const detail = h('tr', {class: 'detail', hidden: true},
          h('td', {colSpan: 7}, h('p', {class: 'muted'}, reportText(r)), h('pre', {class: 'logs'}, r.logs || '(it printed nothing)')));
        rows.push(h('tr', {class: 'clickable', dataset: {id: r.invocationId}, onclick: () => { detail.hidden = !detail.hidden; }},
          h('td', {}, when(r.startedAt)), h('td', {}, h('code', {}, r.invocationId)), h('td', {}, badge(r.outcome ?? r.status)),
          h('td', {class: 'num'}, r.statusCode ?? '—'), h('td', {class: 'num'}, ms(r.durationMs)),
          h('td', {}, r.coldStart ? `cold (${ms(r.initDurationMs)})` : 'warm'), h('td', {}, r.code ?? '')), detail);
      }
      fill(list, table(['Started', 'Invocation', 'Outcome', 'Status', 'Duration', 'Start', 'Error code'], rows,
        {class: 'list', id: 'recent-invocations'}));
    } catch (e) {
      fill(list, h('p', {class: 'error'}, e.message));
    }
  };
  root.append(h('div', {class: 'card-head'}, h('h2', {}, 'Recent invocations'), button('Refresh', refresh)),
    h('p', {class: 'muted'}, 'The last invocations and what they printed; click one to see its logs.'), list);
  refresh();
}

// ---- Live logs ----------------------------------------------------------------------------------------------------

const MAX_LIVE_LINES = 2000;

function live(root, name) {
  const output = h('ol', {id: 'live-log', class: 'live-log'});
  const state = h('span', {id: 'live-state', class: 'muted'});
  const toggle = h('button', {id: 'live-toggle', type: 'button'});
  const clear = button('Clear', () => output.replaceChildren());
  let follower = null;

  const add = (kind, ...parts) => {
    const atBottom = output.scrollHeight - output.scrollTop - output.clientHeight < 24;
    output.append(h('li', {class: kind}, parts));
    while (output.childElementCount > MAX_LIVE_LINES) output.firstElementChild.remove();
    if (atBottom) output.scrollTop = output.scrollHeight;
  };
  const onEvent = event => {
    const id = h('span', {class: 'inv', title: String(event.invocationId ?? '')}, String(event.invocationId ?? '').slice(0, 8));
    if (event.type === 'log') {
      add(`log ${event.stream === 'stderr' ? 'stderr' : 'stdout'}`, h('span', {class: 'ts'}, time(event.ts)), id,
        h('span', {class: 'line'}, String(event.line ?? '')));
    } else if (event.type === 'report') {
      add('report', h('span', {class: 'ts'}, time(event.ts ?? new Date().toISOString())), id,
        h('span', {class: 'line'}, `REPORT ${reportText(event)}`));
    }
  };
  const start = () => {
    const onOpen = () => { state.textContent = 'following: new lines appear as the function prints them'; };
    const onEnd = ({reason, error}) => {
      follower = null;
      const text = error ? `stopped: ${error}` : reason === 'deleted' ? 'ended: the function was deleted'
        : reason === 'too_slow' ? 'ended: this page did not keep up, the server dropped it' : 'ended';
      add('end', h('span', {class: 'line'}, `— ${text} —`));
      state.textContent = text;
      toggle.textContent = 'Follow';
    };
    follower = follow(name, {onOpen, onEvent, onEnd});
    state.textContent = 'connecting…';
    toggle.textContent = 'Stop';
  };
  const stop = () => {
    follower?.stop();
    follower = null;
    state.textContent = 'stopped';
    toggle.textContent = 'Follow';
  };
  toggle.addEventListener('click', () => (follower ? stop() : start()));
  root.append(h('div', {class: 'card-head'}, h('h2', {}, 'Live logs'), h('div', {class: 'row'}, state, toggle, clear)), output);
  start();
  return {dispose: stop};
}

function time(ts) {
  if (!ts) return '';
  const date = new Date(ts);
  return Number.isNaN(date.getTime()) ? String(ts) : date.toLocaleTimeString([], {hour12: false}) + `.${String(date.getMilliseconds()).padStart(3, '0')}`;
}

// ---- Versions and rollback ----------------------------------------------------------------------------------------

function versions(root, name, app) {
  const list = h('div', {id: 'versions'});
  const refresh = async () => {
    try {
      const answer = await get(`/versions/${seg(name)}`);
      fill(list, table(['Version', 'Deployed', 'SHA-256', 'Size', 'Files', 'Settings', ''],
        answer.versions.map(v => h('tr', {dataset: {version: v.version}, class: v.version === answer.active ? 'active' : null},
          h('td', {class: 'num'}, `v${v.version}`),
          h('td', {}, when(v.deployedAt)),
          h('td', {}, h('code', {title: v.sha256}, v.sha256.slice(0, 12))),
          h('td', {class: 'num'}, bytes(v.codeSizeBytes)),
          h('td', {class: 'num'}, v.fileCount),
          h('td', {class: 'muted'}, settingsText(v.settings)),
          h('td', {}, v.version === answer.active
            ? h('span', {class: 'badge badge-ok', id: 'active-version'}, `active`)
            : button(v.version < answer.active ? `Roll back to v${v.version}` : `Activate v${v.version}`,
              () => rollback(v.version), {id: `activate-${v.version}`})))),
        {class: 'list', id: 'version-list'}));
    } catch (e) {
      fill(list, h('p', {class: 'error'}, e.message));
    }
  };
  const rollback = async version => {
    try {
      const answer = await api('POST', `/rollback/${seg(name)}`, {json: {version}});
      app.notify(`${answer.function}: version ${answer.active} is active now`);
    } catch (e) {
      app.notify(`Rollback refused: ${e.message}`, 'error');
    }
    refresh();
    app.refresh();
  };
  root.append(h('div', {class: 'card-head'}, h('h2', {}, 'Versions'), button('Refresh', refresh)),
    h('p', {class: 'muted'}, 'Every deploy is a new version; the kept ones can be made active again at once.'),
    list, h('h3', {}, 'Deploy a new version'), deployPanel({...app, refresh: () => { refresh(); app.refresh(); }}, name));
  refresh();
}

function settingsText(s) {
  if (!s) return '';
  return [`timeout ${s.timeout} s`, `${s.memory} MB`, `${s.cpus} CPU`, s.public ? 'public' : null,
    s.concurrency ? `concurrency ${s.concurrency}` : null].filter(Boolean).join(', ');
}

// ---- Invoke keys --------------------------------------------------------------------------------------------------

function keys(root, name) {
  const list = h('div', {id: 'keys'});
  const created = h('div', {id: 'new-key'});
  const refresh = async () => {
    try {
      const answer = await get(`/keys/${seg(name)}`);
      fill(list, answer.keys.length === 0 ? h('p', {class: 'empty'}, 'No invoke keys.')
        : table(['Key id', 'Created', 'Last used', ''], answer.keys.map(k => [
          h('code', {}, k.keyId), when(k.createdAt), when(k.lastUsedAt),
          button('Revoke', () => revoke(k.keyId), {class: 'danger', id: `revoke-${k.keyId}`})]), {class: 'list'}));
    } catch (e) {
      fill(list, h('p', {class: 'error'}, e.message));
    }
  };
  const create = async () => {
    try {
      const key = await api('POST', `/keys/${seg(name)}`);
      fill(created, h('div', {class: 'secret'},
        h('p', {}, 'New invoke key. Copy it now: it is not shown again.'),
        h('code', {id: 'new-key-value'}, key.key)));
    } catch (e) {
      fill(created, h('p', {class: 'error'}, e.message));
    }
    refresh();
  };
  const revoke = async keyId => {
    try {
      await api('DELETE', `/keys/${seg(name)}/${seg(keyId)}`);
    } catch (e) {
      fill(created, h('p', {class: 'error'}, e.message));
    }
    refresh();
  };
  root.append(h('div', {class: 'card-head'}, h('h2', {}, 'Invoke keys'), button('Create a key', create, {id: 'create-key'})),
    h('p', {class: 'muted'}, 'In keyed mode, an invoke key lets a caller invoke this function and nothing else.'),
    created, list);
  refresh();
}

// ---- Settings and delete ------------------------------------------------------------------------------------------

function settings(root, name, app) {
  const list = h('dl', {class: 'stats', id: 'settings'});
  const confirmBox = h('div', {class: 'row'});
  const askDelete = () => fill(confirmBox,
    h('span', {class: 'error'}, `Delete ${name}, every version, its keys and schedules?`),
    button(`Yes, delete ${name}`, remove, {class: 'danger', id: 'delete-confirm'}),
    button('Cancel', () => fill(confirmBox, deleteButton)));
  const deleteButton = button('Delete this function', askDelete, {class: 'danger', id: 'delete-function'});
  const remove = async () => {
    try {
      await api('DELETE', `/del/${seg(name)}`);
      app.notify(`Deleted ${name}`);
      app.go('#/functions');
      app.refresh();
    } catch (e) {
      app.notify(`Delete refused: ${e.message}`, 'error');
    }
  };
  fill(confirmBox, deleteButton);
  root.append(h('h2', {}, 'Settings (glambdar.json of the active version)'), list,
    h('h2', {}, 'Delete'), confirmBox);
  return {
    update(f) {
      if (!f) return;
      const s = f.settings;
      fill(list,
        item('Timeout', `${s.timeout} s`), item('Memory', `${s.memory} MB`), item('/tmp', `${s.tmp} MB`),
        item('CPUs', String(s.cpus)), item('Reuse', s.reuse === null ? 'default' : String(s.reuse)),
        item('Concurrency', s.concurrency ?? 'unlimited'), item('Public', s.public ? 'yes' : 'no'),
        item('Environment', s.env.length ? s.env.join(', ') : 'none'));
    },
  };
}
