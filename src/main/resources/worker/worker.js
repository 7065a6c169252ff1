'use strict';
// Glambdar worker: runs inside the function's container. It connects to the runtime over a Unix domain
// socket, loads the function, says hello, then runs the invocations the runtime sends, one at a time.
// Frames: 4-byte big-endian length, then that many bytes of UTF-8 JSON. Node built-ins only (Node 18+).

const fs = require('fs');
const net = require('net');
const path = require('path');
const { StringDecoder } = require('string_decoder');
const util = require('util');
const v8 = require('v8');
const { pathToFileURL } = require('url');

// The function's own PATH comes as GLAMBDAR_PATH, so that Docker finds node with the image's PATH whatever the
// function sets; from here on it is the PATH of the function and of what it runs.
if (process.env.GLAMBDAR_PATH !== undefined) {
  process.env.PATH = process.env.GLAMBDAR_PATH;
  delete process.env.GLAMBDAR_PATH;
}

const SOCKET = process.env.GLAMBDAR_SOCKET || '/glambdar/socket/w.sock';
const FUNCTION_DIR = process.env.GLAMBDAR_FUNCTION_DIR || '/function';
// Limits the runtime enforces too (io.glambdar.ipc.ReplyLimits); here they become clear errors and tidy cuts.
const MAX_BODY_BYTES = Number(process.env.GLAMBDAR_MAX_RESPONSE_BYTES) || 6 * 1024 * 1024; // response body, in bytes
const MAX_LOG_BYTES = 64 * 1024; // logs per message, truncation marker included (ReplyLimits.DEFAULTS)
const MAX_TEXT_BYTES = 64 * 1024; // an error's message and stack, the warm-up note
const MARKER_ROOM = 64; // a truncation marker always fits in this
const LIVE_FLUSH_BYTES = 16 * 1024; // live output is sent once per event-loop turn, or sooner when this much waits
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/; // RFC 9110 header name
const CONTROL = /[\x00-\x08\x0a-\x1f\x7f]/; // RFC 5234 CTL, except the tab that header values may hold

// ---- output capture: the function's stdout/stderr still goes to the real streams, and to the runtime: while loading
// with the hello; while an invocation runs as it is printed, in log frames (see "live output" below), of which the
// runtime makes the invocation's logs too (its reply says only how many bytes were left out).

let capture = null; // kept output (below; its pieces while loading only) while loading or while an invocation runs
let afterReply = null; // kept output after an invocation replied, and that invocation's id

for (const [stream, name] of [[process.stdout, 'stdout'], [process.stderr, 'stderr']]) {
  const write = stream.write;
  stream.write = function (chunk, encoding) {
    if (capture || afterReply) record(chunk, encoding, name);
    return write.apply(this, arguments);
  };
}

function record(chunk, encoding, streamName) {
  let buf;
  if (typeof chunk === 'string') {
    buf = Buffer.from(chunk, Buffer.isEncoding(encoding) ? encoding : 'utf8');
  } else if (chunk instanceof Uint8Array) {
    buf = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  } else {
    return; // the real write will complain
  }
  if (liveId !== null) { // all of it, in frames of about LIVE_FLUSH_BYTES: the runtime keeps its start and its end
    for (let at = 0; at < buf.length; at += LIVE_FLUSH_BYTES) {
      queueLive(streamName, buf.subarray(at, at + LIVE_FLUSH_BYTES));
    }
    return;
  }
  keepWithinLimit(capture || afterReply, buf, streamName);
}

// Kept output, { pieces: [{ stream, buf }], size, dropped }: its start up to MAX_LOG_BYTES, and how much did not fit.
function keptOutput() {
  return { pieces: [], size: 0, dropped: 0 };
}

function keepWithinLimit(kept, buf, streamName) {
  const room = MAX_LOG_BYTES - kept.size;
  if (buf.length > room) kept.dropped += buf.length - room;
  const piece = buf.subarray(0, Math.max(0, room));
  if (piece.length === 0) return;
  kept.size += piece.length;
  kept.pieces.push({ stream: streamName, buf: Buffer.from(piece) }); // copy: the caller may reuse its buffer
}

function startCapture() {
  capture = keptOutput();
}

function stopCapture() {
  if (!capture) return '';
  const { pieces, dropped } = capture;
  capture = null;
  return truncated(Buffer.concat(pieces.map((piece) => piece.buf)), dropped, MAX_LOG_BYTES);
}

// UTF-8 bytes as text of at most maxBytes: all of them, or their start (cut between characters) and a marker that
// counts what is left out, `dropped` bytes already gone included. The runtime cuts the same way, to the same size.
function truncated(buf, dropped, maxBytes) {
  if (dropped === 0 && buf.length <= maxBytes) return buf.toString('utf8');
  let keep = Math.min(buf.length, maxBytes - MARKER_ROOM);
  while (keep > 0 && (buf[keep] & 0xc0) === 0x80) keep--; // a continuation byte: back up to its character's start
  return `${buf.subarray(0, keep).toString('utf8')}\n[... ${buf.length - keep + dropped} bytes truncated]\n`;
}

function truncatedText(text) {
  return text.length * 3 <= MAX_TEXT_BYTES ? text : truncated(Buffer.from(text, 'utf8'), 0, MAX_TEXT_BYTES);
}

// ---- live output: what an invocation prints goes to the runtime while it runs, as
// {type: 'log', id, stream: 'stdout' | 'stderr', text}. Writes are gathered and sent once per event-loop turn (or
// when LIVE_FLUSH_BYTES wait), never a frame per write; a function that prints nothing sends none. All of it is sent:
// the runtime keeps the start and the end of it as the invocation's logs, within MAX_LOG_BYTES.

let liveId = null; // the running invocation's id
let live = null; // { id, pending: [{ stream, text }], size, decoders, scheduled }, from the invocation's first write

// Costs nothing more until the function writes: most print nothing, and this runs for every invocation.
function startLive(id) {
  liveId = id;
  live = null;
}

function queueLive(streamName, buf) {
  if (!live) live = { id: liveId, pending: [], size: 0, decoders: { stdout: null, stderr: null }, scheduled: false };
  const state = live;
  // A write may end inside a UTF-8 character: its decoder keeps those bytes for the stream's next write.
  const decoder = state.decoders[streamName] || (state.decoders[streamName] = new StringDecoder('utf8'));
  appendLive(state, streamName, decoder.write(buf));
  state.size += buf.length;
  if (state.size >= LIVE_FLUSH_BYTES) {
    flushLive(state);
  } else if (!state.scheduled) {
    state.scheduled = true;
    setImmediate(flushLive, state);
  }
}

function appendLive(state, streamName, text) {
  if (!text) return;
  const last = state.pending[state.pending.length - 1];
  if (last && last.stream === streamName) last.text += text;
  else state.pending.push({ stream: streamName, text });
}

function flushLive(state) {
  state.scheduled = false;
  if (state.pending.length === 0) return;
  for (const { stream, text } of state.pending) send(frame({ type: 'log', id: state.id, stream, text }));
  state.pending = [];
  state.size = 0;
}

// Before the invocation's reply: what is still gathered goes first, so the runtime sees output in order.
function endLive() {
  liveId = null;
  if (!live) return;
  const state = live;
  live = null;
  for (const streamName of ['stdout', 'stderr']) {
    const decoder = state.decoders[streamName];
    if (decoder) appendLive(state, streamName, decoder.end());
  }
  flushLive(state);
}

// The invocation's output is all sent: how many bytes of it the capture left out, for the reply.
function endInvocationOutput() {
  endLive();
  const dropped = capture ? capture.dropped : 0;
  capture = null;
  return dropped;
}

// ---- output after a reply: a timer or callback of the function may print once its invocation has replied. A worker
// that serves again (reuse mode) keeps that output, its start up to MAX_LOG_BYTES, and sends it first in the next
// invocation's logs, after a line that says where it comes from (Lambda puts it in the next invocation's logs too).

// At the start of an invocation, with its live output started: what was printed since the last reply goes first.
// Returns how many bytes of it were left out.
function sendKeptAfterReply() {
  const kept = afterReply;
  afterReply = null;
  if (!kept || (kept.pieces.length === 0 && kept.dropped === 0)) return 0;
  queueLive('stdout', Buffer.from(`[glambdar] printed after invocation ${kept.id} had replied:\n`));
  for (const { stream, buf } of kept.pieces) queueLive(stream, buf);
  return kept.dropped;
}

// A function that calls process.exit() mid-invocation: send what it printed in this turn while the process can.
process.on('exit', () => {
  try {
    if (live && socket) flushLive(live);
  } catch {
    // the socket is gone: the runtime reads the rest from the container's output
  }
});

// Peak resident memory of this process so far, in bytes (in reuse mode, across every invocation it has served).
function maxRss() {
  try {
    return process.resourceUsage().maxRSS * 1024;
  } catch {
    return undefined;
  }
}

// ---- framing

let socket;

// Error texts are cut here, in one place, so that no message can outgrow what the runtime accepts.
function frame(message) {
  for (const field of ['message', 'stack', 'warmup']) {
    if (typeof message[field] === 'string') message[field] = truncatedText(message[field]);
  }
  return Buffer.from(JSON.stringify(message), 'utf8');
}

function send(payload, done) {
  const head = Buffer.alloc(4);
  head.writeUInt32BE(payload.length, 0);
  socket.cork();
  socket.write(head);
  socket.write(payload, done);
  socket.uncork();
}

// Bytes arrive in arbitrary pieces; keep them as a list and join only once a whole frame is there.
class FrameDecoder {
  constructor() {
    this.chunks = [];
    this.buffered = 0;
    this.frameLength = -1;
  }

  take(n) {
    const all = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.buffered);
    const rest = all.subarray(n);
    this.chunks = rest.length > 0 ? [rest] : [];
    this.buffered = rest.length;
    return all.subarray(0, n);
  }

  /** Adds bytes; returns the payloads of the frames now complete. */
  push(chunk) {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const payloads = [];
    for (;;) {
      if (this.frameLength < 0) {
        if (this.buffered < 4) return payloads;
        this.frameLength = this.take(4).readUInt32BE(0);
      }
      if (this.buffered < this.frameLength) return payloads;
      payloads.push(this.take(this.frameLength));
      this.frameLength = -1;
    }
  }
}

// Throws (with the reason) when the payload is not an invocation.
function decodeInvoke(payload) {
  let message;
  try {
    message = JSON.parse(payload.toString('utf8'));
  } catch (e) {
    throw new Error(`unreadable message from the runtime: ${e.message}`);
  }
  if (!message || message.type !== 'invoke' || typeof message.id !== 'string') {
    throw new Error(`unexpected message from the runtime: ${JSON.stringify(message).slice(0, 200)}`);
  }
  return message;
}

const decoder = new FrameDecoder();

function onData(chunk) {
  for (const payload of decoder.push(chunk)) {
    let message;
    try {
      message = decodeInvoke(payload);
    } catch (e) {
      fatal(`glambdar worker: ${e.message}`);
    }
    // The runtime sends one invocation at a time; chaining keeps order even if it did not.
    queue = queue.then(() => invoke(message));
  }
}

function fatal(text) {
  stopCapture();
  process.stderr.write(text + '\n');
  process.exit(1);
}

// ---- loading the function

let handler;
let loading = true;
let queue;

function describe(value) {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  const type = typeof value;
  return type === 'undefined' ? 'undefined' : `${/^[aeiou]/.test(type) ? 'an' : 'a'} ${type}`;
}

function isError(e) {
  return e instanceof Error || util.types.isNativeError(e);
}

// "TypeError: x is not a function": the error's kind is often the most useful part (a plain Error adds nothing).
function messageOf(e) {
  try {
    if (!isError(e)) {
      // A thrown object shows what it holds, not "[object Object]".
      const text = String(e);
      return typeof e === 'object' && e !== null && text.startsWith('[object ')
        ? util.inspect(e, { depth: 3, breakLength: Infinity, maxStringLength: 4096, maxArrayLength: 20 }) : text;
    }
    if (!e.message) return String(e);
    return e.name && e.name !== 'Error' ? `${e.name}: ${e.message}` : e.message;
  } catch {
    return util.inspect(e); // e.g. an object with no prototype
  }
}

function stackOf(e) {
  return isError(e) && typeof e.stack === 'string' ? e.stack : undefined;
}

async function load() {
  const file = path.join(FUNCTION_DIR, 'index.js');
  if (!fs.existsSync(file)) {
    return { type: 'init_error', code: 'index_missing', message: `index.js not found in the function's code (looked in ${FUNCTION_DIR})` };
  }
  let exported;
  let esm = false;
  try {
    try {
      exported = require(file);
      // Newer Node require()s an ES module as its namespace, which it marks so.
      esm = exported !== null && typeof exported === 'object' && exported.__esModule === true
        && Object.getPrototypeOf(exported) === null;
    } catch (e) {
      // An ES module: older Node cannot require() it at all, newer Node not when it uses top-level await.
      if (e && (e.code === 'ERR_REQUIRE_ESM' || e.code === 'ERR_REQUIRE_ASYNC_MODULE')) {
        esm = true;
        exported = await import(pathToFileURL(file).href);
      } else {
        throw e;
      }
    }
  } catch (e) {
    return { type: 'init_error', code: 'load_failed', message: `index.js failed to load: ${messageOf(e)}`, stack: stackOf(e) };
  }
  const found = exported !== null && (typeof exported === 'object' || typeof exported === 'function') ? exported.handler : undefined;
  if (typeof found !== 'function') {
    const names = exported !== null && typeof exported === 'object' ? Object.keys(exported) : [];
    const what = found === undefined ? 'undefined' : `${describe(found)}, not a function`;
    const seen = typeof exported === 'function' ? 'module.exports is itself a function'
      : `exports found: ${names.length > 0 ? names.join(', ') : 'none'}`;
    if (esm) {
      const named = names.filter((name) => name !== 'default' && name !== '__esModule');
      const hint = names.includes('default') ? '; a default export is not enough: name it handler' : '';
      return {
        type: 'init_error', code: 'handler_missing',
        message: `index.js is an ES module whose export handler is ${what}; export an async function named handler, e.g. export const handler = async (req) => ({ body: 'hi' }) (exports found: ${named.length > 0 ? named.join(', ') : 'none'}${hint})`,
      };
    }
    return {
      type: 'init_error', code: 'handler_missing',
      message: `exports.handler is ${what}; index.js must set exports.handler to an async function (${seen})`,
    };
  }
  handler = found;
  // The heap's limit, so that the runtime can say what a function that ran out of it reached.
  return { type: 'ready', node: process.version, heapLimit: v8.getHeapStatistics().heap_size_limit };
}

// ---- one invocation

let current = null; // { id, done } while an invocation runs; uncaught errors are charged to it
let exiting = false; // after an uncaught error: answer nothing more, just let the error reply flush

class BadReturn extends Error {}

// A header name or value that HTTP cannot carry: the runtime checks the same and uses the same code.
class InvalidHeader extends Error {}

// The body is over the runtime's limit: a failure of its own kind, as the runtime reports it too.
class TooLarge extends Error {}

function requireBodyWithinLimit(bytes) {
  if (bytes > MAX_BODY_BYTES) {
    throw new TooLarge(`the response body is ${bytes} bytes, over the server's limit of ${MAX_BODY_BYTES} bytes`
      + ' (GLAMBDAR_MAX_RESPONSE_MB); return a smaller body, or raise that limit');
  }
}

// The query string as an object of decoded strings ('+' is a space, as in forms); a repeated name becomes an array.
// Object.fromEntries makes every name an own property, '__proto__' included.
function parseQuery(rawQuery) {
  const params = new Map();
  for (const [name, value] of new URLSearchParams(rawQuery)) {
    const seen = params.get(name);
    if (seen === undefined) params.set(name, value);
    else if (Array.isArray(seen)) seen.push(value);
    else params.set(name, [seen, value]);
  }
  return Object.fromEntries(params);
}

function buildRequest(r) {
  const rawBody = typeof r.bodyBase64 === 'string' ? Buffer.from(r.bodyBase64, 'base64') : Buffer.from(r.body || '', 'utf8');
  const body = typeof r.body === 'string' ? r.body : rawBody.toString('utf8');
  const rawQuery = typeof r.query === 'string' ? r.query : '';
  return {
    method: r.method, path: r.path || '/', query: parseQuery(rawQuery), rawQuery, headers: r.headers || {}, body, rawBody,
    async json() {
      try {
        return JSON.parse(body);
      } catch (e) {
        throw new Error(`the request body is not valid JSON (${e.message})`);
      }
    },
  };
}

function headerValue(name, value) {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
    const text = String(value);
    if (CONTROL.test(text)) {
      throw new InvalidHeader(`header ${JSON.stringify(name)} has a value containing CR, LF, NUL or another control character; only tab is allowed`);
    }
    return text;
  }
  throw new BadReturn(`header "${name}" has ${describe(value)} value; header values must be strings, numbers, booleans or arrays of those`);
}

function buildResult(id, out) {
  if (out === null || typeof out !== 'object' || Array.isArray(out)) {
    throw new BadReturn(`handler returned ${describe(out)}; it must return an object like { statusCode, headers, body }`);
  }
  // Objects that are plainly not a response: bytes meant as the body, or an error meant to be thrown.
  if (Buffer.isBuffer(out) || ArrayBuffer.isView(out) || out instanceof ArrayBuffer) {
    throw new BadReturn(`handler returned ${Buffer.isBuffer(out) ? 'a Buffer' : 'binary data'}; to send bytes, return them as the body: { headers: { 'content-type': '...' }, body: bytes }`);
  }
  if (isError(out)) {
    throw new BadReturn(`handler returned an error (${messageOf(out)}) instead of throwing it; throw it to fail the invocation, or return { statusCode, body } to answer with an error status`);
  }
  let statusCode = 200;
  if (out.statusCode !== undefined) {
    // 1xx only announces a response to come, so it cannot be the status of the one a handler returns.
    if (!Number.isInteger(out.statusCode) || out.statusCode < 200 || out.statusCode > 599) {
      throw new BadReturn(`statusCode must be an integer from 200 to 599, got ${util.inspect(out.statusCode)}`);
    }
    statusCode = out.statusCode;
  }
  // Lower-case names, so "Content-Type" and "content-type" are one header; no prototype, so "__proto__" is a name.
  const headers = Object.create(null);
  if (out.headers !== undefined && out.headers !== null) {
    const proto = typeof out.headers === 'object' ? Object.getPrototypeOf(out.headers) : undefined;
    if (proto !== Object.prototype && proto !== null) {
      throw new BadReturn(`headers must be a plain object of name: value, got ${describe(out.headers)}`);
    }
    for (const [name, value] of Object.entries(out.headers)) {
      if (!TOKEN.test(name)) throw new InvalidHeader(`header name ${JSON.stringify(name)} is not a valid HTTP header name`);
      // undefined or null means no value, as in JSON (and as for statusCode and body): no header.
      const given = Array.isArray(value) ? value : [value];
      const values = given.filter((v) => v !== undefined && v !== null).map((v) => headerValue(name, v));
      if (values.length === 0) continue;
      const key = name.toLowerCase();
      // Names differ only in case: one header, the last one set wins as with Node's res.setHeader(); cookies add up.
      const merged = key === 'set-cookie' && headers[key] !== undefined ? [].concat(headers[key], values) : values;
      headers[key] = merged.length === 1 ? merged[0] : merged;
    }
  }
  const ownType = headers['content-type'] !== undefined;
  const body = out.body;
  let text;
  let bodyEncoding = 'utf8';
  if (body === undefined) {
    text = '';
  } else if (ArrayBuffer.isView(body) || util.types.isAnyArrayBuffer(body)) {
    // A Buffer, any typed array, a DataView or an ArrayBuffer (say from fetch's arrayBuffer()): its raw bytes.
    requireBodyWithinLimit(body.byteLength); // before encoding it: a huge buffer need not be copied to say no
    const bytes = ArrayBuffer.isView(body) ? Buffer.from(body.buffer, body.byteOffset, body.byteLength) : Buffer.from(body);
    text = bytes.toString('base64');
    bodyEncoding = 'base64';
    if (!ownType) headers['content-type'] = 'application/octet-stream';
  } else if (typeof body === 'string' && ownType) {
    text = body;
  } else {
    try {
      text = JSON.stringify(body);
    } catch (e) {
      throw new BadReturn(`body could not be JSON-encoded: ${messageOf(e)}`);
    }
    if (text === undefined) throw new BadReturn(`body is ${describe(body)}, which cannot be JSON-encoded`);
    if (!ownType) headers['content-type'] = 'application/json';
  }
  if (bodyEncoding === 'utf8') requireBodyWithinLimit(Buffer.byteLength(text, 'utf8'));
  return { type: 'result', id, statusCode, headers, body: text, bodyEncoding };
}

// The runtime's rehearsal, once, right after the hello: an invocation over the real socket with this stand-in for the
// handler, so that the first real invocation finds the whole path (socket reads, the promise chain, setImmediate, the
// reply) already compiled; warmUp() cannot reach those parts. The function's own handler never runs for it.
async function rehearsalHandler(req) {
  await req.json();
  return { statusCode: 200, headers: { 'x-rehearsal': 'yes' }, body: { ok: true } };
}

async function invoke(message) {
  if (exiting) return;
  const rehearsal = message.rehearsal === true;
  const invocation = (current = { id: message.id, done: false });
  startCapture();
  startLive(message.id);
  capture.dropped += sendKeptAfterReply();
  let reply;
  try {
    const out = await (rehearsal ? rehearsalHandler : handler)(buildRequest(message.request || {}));
    reply = buildResult(message.id, out);
  } catch (e) {
    reply = failureReply(message.id, e);
  }
  // What the function scheduled for right after its return (a setImmediate, a promise's callbacks) still prints into
  // this invocation: the rest of this turn of the event loop, microseconds, never a timer.
  await new Promise((resolve) => setImmediate(resolve));
  if (invocation.done) return; // an uncaught error already answered for it
  invocation.done = true;
  current = null;
  reply.droppedLogBytes = endInvocationOutput();
  reply.maxRss = maxRss();
  afterReply = rehearsal ? null : { ...keptOutput(), id: message.id }; // nothing is charged to the rehearsal
  send(frame(reply));
}

function failureReply(id, e) {
  if (e instanceof TooLarge) return { type: 'error', id, code: 'response_too_large', message: e.message };
  if (e instanceof InvalidHeader) return { type: 'error', id, code: 'invalid_header', message: e.message };
  if (e instanceof BadReturn) return { type: 'error', id, code: 'bad_return', message: e.message };
  return { type: 'error', id, code: 'handler_threw', message: messageOf(e), stack: stackOf(e) };
}

// A fresh process compiles each function the first time it runs it, and optimises it only after a few runs. Run the
// worker's own invocation path a few times on a made-up request (decode, build req, validate and encode a result) so
// that the first real invocation of a warm container doesn't pay for that. The function's handler is never called.
// Returns what goes in the hello's `warmup`: 'ok', or what went wrong (the worker still serves, only slower at first).
function warmUp() {
  try {
    for (let i = 0; i < 5; i++) rehearse();
    return 'ok';
  } catch (e) {
    return `the rehearsal failed: ${stackOf(e) || messageOf(e)}`;
  }
}

function rehearse() {
  const request = {
    method: 'POST', path: '/a/b', query: 'q=1&t=a&t=b&s=x+y%21', headers: { 'content-type': 'application/json', 'x-a': ['1', '2'] },
    body: '{"a":1}',
  };
  const payload = frame({ type: 'invoke', id: 'rehearsal', request });
  const head = Buffer.alloc(4);
  head.writeUInt32BE(payload.length, 0);
  const rehearsalDecoder = new FrameDecoder();
  rehearsalDecoder.push(head.subarray(0, 2));
  for (const received of rehearsalDecoder.push(Buffer.concat([head.subarray(2), payload]))) {
    const message = decodeInvoke(received);
    buildRequest(message.request).json().catch(() => {});
    for (const body of [{ ok: true }, 'text', Buffer.from('x'), undefined]) {
      const headers = body === 'text' ? { 'X-Rehearsal': 'yes', 'Content-Type': 'text/plain' } : { 'X-Rehearsal': 'yes' };
      const reply = buildResult(message.id, { statusCode: 200, headers, body });
      reply.droppedLogBytes = 0;
      reply.maxRss = maxRss();
      frame(reply);
    }
    frame({ type: 'log', id: message.id, stream: 'stdout', text: 'x\n' });
    frame({ ...failureReply(message.id, new BadReturn('rehearsal')), droppedLogBytes: 0, maxRss: maxRss() });
  }
}

// ---- errors nobody caught: charge them to the running invocation, then exit (the process state is suspect)

function uncaught(kind, e) {
  if (exiting) {
    process.stderr.write(`glambdar worker: another ${kind} while exiting: ${stackOf(e) || messageOf(e)}\n`);
  } else if (current && !current.done) {
    exiting = true;
    current.done = true;
    const reply = {
      type: 'error', id: current.id, code: 'handler_threw', fatal: true, // tells the runtime this worker is exiting
      message: `${kind}: ${messageOf(e)}`, stack: stackOf(e),
      droppedLogBytes: endInvocationOutput(), maxRss: maxRss(),
    };
    send(frame(reply), () => process.exit(1));
  } else if (loading) {
    sendHello({ type: 'init_error', code: 'load_failed', message: `index.js failed to load: ${kind}: ${messageOf(e)}`, stack: stackOf(e) });
  } else {
    fatal(`glambdar worker: ${kind} outside an invocation: ${stackOf(e) || messageOf(e)}`);
  }
}

process.on('uncaughtException', (e) => uncaught('uncaught exception', e));
process.on('unhandledRejection', (e) => uncaught('unhandled promise rejection', e));

// ---- main

socket = net.createConnection(SOCKET);
socket.on('error', (e) => fatal(`glambdar worker: socket ${SOCKET}: ${e.message}`));
socket.on('end', () => process.exit(0)); // the runtime is done with this worker
socket.on('data', onData);
socket.once('connect', () => {
  startCapture();
  queue = load().then((hello) => {
    if (hello.type === 'ready') hello.warmup = warmUp();
    sendHello(hello);
    if (hello.type !== 'ready') return new Promise(() => {}); // never run invocations without a handler
  });
});

function sendHello(hello) {
  if (!loading) return; // an error during loading already said hello
  loading = false;
  hello.logs = stopCapture();
  send(frame(hello), hello.type === 'ready' ? undefined : () => process.exit(1));
}
