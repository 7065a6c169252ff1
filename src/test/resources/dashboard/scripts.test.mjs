// The dashboard's scripts that need no page, run by node against stand-ins for the browser's storage and fetch.
// Run by DashboardScriptsTest; prints "ok <name>" per test and exits non-zero on the first failure.

import assert from 'node:assert/strict';

const storage = new Map();
globalThis.sessionStorage = {
  getItem: k => (storage.has(k) ? storage.get(k) : null),
  setItem: (k, v) => storage.set(k, String(v)),
  removeItem: k => storage.delete(k),
};
let answer = null; // (url, init) => Response
const requests = [];
globalThis.fetch = async (url, init) => {
  requests.push({url, init});
  return answer(url, init);
};

const {record, rates} = await import('./assets/rates.js');
const {adminKey, api, errorMessage, onUnauthorized, send} = await import('./assets/api.js');
const {follow} = await import('./assets/follow.js');

const tests = [];
const test = (name, fn) => tests.push([name, fn]);

test('rates are count deltas over the time between polls, per function or for all', () => {
  const info = counts => ({functions: Object.entries(counts).map(([name, [n, e]]) => ({name, invokeCount: n, errorCount: e}))});
  record(info({a: [10, 1], b: [0, 0]}), 0);
  record(info({a: [20, 1], b: [4, 2]}), 2000);
  record(info({a: [20, 1], b: [1, 0], c: [6, 0]}), 4000); // b deleted and deployed again; c new
  const all = rates();
  assert.deepEqual(all.map(p => [p.t, p.invocations, p.errors]), [[2000, 7, 1], [4000, 3.5, 0]]);
  assert.deepEqual(rates('b').map(p => [p.invocations, p.errors]), [[2, 1], [0.5, 0]]);
  assert.deepEqual(rates('nothing').map(p => p.invocations), [0, 0]);
});

const ndjson = (...chunks) => new ReadableStream({
  start(controller) {
    for (const chunk of chunks) controller.enqueue(typeof chunk === 'string' ? new TextEncoder().encode(chunk) : chunk);
    controller.close();
  },
});

test('follow reads lines split anywhere across chunks, skips what is not a line of the stream, ends with the reason', async () => {
  adminKey.set('admin-key-1');
  const snowman = new TextEncoder().encode('☃'); // three bytes, split between two chunks below
  answer = () => new Response(ndjson(
    '{"type":"log","stream":"stdout","line":"a', 'bc"}\n{"type":"rep',
    'ort","outcome":"ok","statusCode":200}\n\nnot json\n{"type":"log","line":"',
    snowman.slice(0, 1), snowman.slice(1), '"}\n{"type":"end","reason":"deleted"}\n'), {status: 200});
  const events = [];
  let opened = false;
  const ended = await new Promise(resolve => follow('fn-1', {onOpen: () => { opened = true; }, onEvent: e => events.push(e), onEnd: resolve}));
  assert.equal(opened, true);
  assert.deepEqual(ended, {reason: 'deleted'});
  assert.deepEqual(events.map(e => [e.type, e.line ?? e.outcome]), [['log', 'abc'], ['report', 'ok'], ['log', '☃']]);
  const last = requests.at(-1);
  assert.equal(last.url, '/logs/fn-1?follow=true');
  assert.equal(last.init.headers.get('Authorization'), 'Bearer admin-key-1');
});

test('follow ends with "closed" when the stream stops without an end line, and with the error of a refusal', async () => {
  answer = () => new Response(ndjson('{"type":"log","line":"x"}\n'), {status: 200});
  assert.deepEqual(await new Promise(resolve => follow('f', {onOpen() {}, onEvent() {}, onEnd: resolve})), {reason: 'closed'});
  answer = () => new Response('{"error":"function \'f\' not found"}', {status: 404});
  assert.deepEqual(await new Promise(resolve => follow('f', {onOpen() {}, onEvent() {}, onEnd: resolve})),
    {error: "function 'f' not found"});
});

test('a stopped follower is not told it ended', async () => {
  let ended = false;
  answer = (url, init) => new Promise((resolve, reject) => init.signal.addEventListener('abort', () => reject(new Error('aborted'))));
  const follower = follow('f', {onOpen() {}, onEvent() {}, onEnd: () => { ended = true; }});
  follower.stop();
  await new Promise(resolve => setTimeout(resolve, 20));
  assert.equal(ended, false);
});

test('errors are the server\'s message, or the status and the start of the body', async () => {
  assert.equal(await errorMessage(new Response('{"error":"bad name"}', {status: 400})), 'bad name');
  assert.equal(await errorMessage(new Response('<html>x</html>', {status: 502, statusText: 'Bad Gateway'})),
    '502 Bad Gateway: <html>x</html>');
  answer = () => new Response('{"error":"no such function"}', {status: 404});
  await assert.rejects(api('GET', '/info/x'), e => e.status === 404 && e.message === 'no such function');
  answer = () => new Response(null, {status: 204});
  assert.equal(await api('DELETE', '/del/x'), null);
});

test('a 401 asks for the key, except for invocations, whose 401 may be the function\'s own', async () => {
  const asked = [];
  onUnauthorized(message => asked.push(message));
  answer = () => new Response('{"error":"missing admin key"}', {status: 401});
  await assert.rejects(api('GET', '/info'));
  assert.deepEqual(asked, ['missing admin key']);
  const response = await send('POST', '/invoke/f', {authPrompt: false});
  assert.equal(response.status, 401);
  assert.deepEqual(asked, ['missing admin key']);
});

test('without a key no Authorization is sent; a JSON body goes with its content type', async () => {
  adminKey.clear();
  answer = () => new Response('{}', {status: 200});
  await api('POST', '/rollback/f', {json: {version: 2}});
  const last = requests.at(-1);
  assert.equal(last.init.headers.has('Authorization'), false);
  assert.equal(last.init.headers.get('Content-Type'), 'application/json');
  assert.equal(last.init.body, '{"version":2}');
  assert.equal(last.init.credentials, 'omit');
});

for (const [name, fn] of tests) {
  await fn();
  console.log(`ok ${name}`);
}
console.log(`${tests.length} passed, 0 failed`);
