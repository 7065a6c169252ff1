// The dashboard: hash routes to views, one GET /info poll (every 2 s, only while the tab is visible) that every view
// reads, and the admin-key prompt of keyed mode.

import {adminKey, get, onUnauthorized} from './api.js';
import {POLL_MS, record} from './rates.js';
import {fill, h} from './dom.js';
import * as functionsView from './functions.js';
import * as functionView from './function.js';
import * as asyncView from './async.js';
import * as schedulesView from './schedules.js';

const POLL_TIMEOUT_MS = 15000;
const $ = id => document.getElementById(id);

const app = {
  /** The last GET /info answer, or null before the first: a view draws it when it is made, then each poll's. */
  info: null,
  /** Polls now (after a deploy, a rollback, a delete) rather than at the next tick. */
  refresh: () => poll(),
  notify,
  go: hash => { location.hash = hash; },
};

let view = null; // {update(info), dispose()} of the view shown
let timer = null;
let polling = false;
let waitingForKey = false;

function route() {
  view?.dispose?.();
  // Split first, then decode each part (URLSearchParams decodes the query): "a%2Fb" stays one name, and a malformed
  // escape typed into the address bar is kept as typed rather than throwing.
  const [path, query = ''] = location.hash.replace(/^#\/?/, '').split('?');
  const params = new URLSearchParams(query);
  const parts = path.split('/').map(part => {
    try {
      return decodeURIComponent(part);
    } catch {
      return part;
    }
  });
  const root = fill($('view'));
  let current;
  if (parts[0] === 'fn' && parts[1]) {
    current = 'functions';
    view = functionView.render(root, parts[1], parts[2] || 'invoke', app);
  } else if (parts[0] === 'async') {
    current = 'async';
    view = asyncView.render(root, {function: params.get('function') ?? '', status: params.get('status') ?? ''}, app);
  } else if (parts[0] === 'dead-letters') {
    current = 'dead-letters';
    view = asyncView.render(root, {function: params.get('function') ?? '', status: 'failed', deadLetters: true}, app);
  } else if (parts[0] === 'schedules') {
    current = 'schedules';
    view = schedulesView.render(root, app);
  } else {
    current = 'functions';
    view = functionsView.render(root, app, {filter: params.get('q') ?? ''});
  }
  for (const a of document.querySelectorAll('#nav a')) a.classList.toggle('active', a.dataset.view === current);
}

async function poll() {
  clearTimeout(timer);
  timer = null;
  if (polling || waitingForKey || document.visibilityState !== 'visible') return;
  polling = true;
  try {
    // Bounded: a poll that never came back would stop every later one.
    const info = await get('/info', {signal: AbortSignal.timeout(POLL_TIMEOUT_MS)});
    record(info);
    app.info = info;
    fill($('connection'), h('span', {class: 'dot ok'}), `${info.count} function${info.count === 1 ? '' : 's'}`);
    view?.update?.(info);
  } catch (e) {
    if (e.status !== 401) fill($('connection'), h('span', {class: 'dot down'}), `server unreachable: ${e.message}`);
  } finally {
    polling = false;
    if (!waitingForKey && document.visibilityState === 'visible') timer = setTimeout(poll, POLL_MS);
  }
}

document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible') poll();
  else clearTimeout(timer);
});

// Keyed mode: any 401 to the page's own calls asks for the admin key.
onUnauthorized(message => {
  const hadKey = adminKey.get() !== null;
  if (hadKey) adminKey.clear();
  waitingForKey = true;
  clearTimeout(timer);
  const error = $('login-error');
  error.hidden = !hadKey;
  error.textContent = hadKey ? `The server refused that key: ${message}` : '';
  $('forget-key').hidden = true;
  $('login').hidden = false;
  $('admin-key').focus();
});

$('login-form').addEventListener('submit', event => {
  event.preventDefault();
  const key = $('admin-key').value.trim();
  if (!key) return;
  adminKey.set(key);
  $('admin-key').value = '';
  $('login').hidden = true;
  $('forget-key').hidden = false;
  waitingForKey = false;
  route();
  poll();
});

$('forget-key').addEventListener('click', () => {
  adminKey.clear();
  location.reload();
});
$('forget-key').hidden = adminKey.get() === null;

let noticeTimer = null;

/** A short message at the top: what an action did, or why it failed. */
function notify(text, kind = 'ok') {
  const notice = $('notice');
  notice.className = `notice ${kind}`;
  notice.textContent = text;
  notice.hidden = false;
  clearTimeout(noticeTimer);
  noticeTimer = setTimeout(() => { notice.hidden = true; }, kind === 'error' ? 12000 : 5000);
}

window.addEventListener('hashchange', route);
route();
poll();
