// Live logs: GET /logs/:name?follow=true, newline-delimited JSON read from a fetch body stream (an EventSource could
// not send the Authorization header). Lines: {"type": "log" | "report" | "end", ...} (SPEC "Observability").

import {errorMessage, send, seg} from './api.js';

/**
 * Follows a function's logs until stop() or the server ends the stream.
 * @param onOpen  called once the server has answered: from then on nothing the function prints is missed
 * @param onEvent called with each parsed line
 * @param onEnd   called once with {reason} ("deleted", "too_slow", "closed") or {error}
 */
export function follow(name, {onOpen, onEvent, onEnd}) {
  const abort = new AbortController();
  let ended = false;
  const end = result => {
    if (!ended) {
      ended = true;
      onEnd(result);
    }
  };
  (async () => {
    const response = await send('GET', `/logs/${seg(name)}?follow=true`, {signal: abort.signal});
    if (!response.ok) {
      end({error: await errorMessage(response)});
      return;
    }
    onOpen();
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    let reason = 'closed';
    for (;;) {
      const {value, done} = await reader.read();
      if (done) break;
      buffer += value;
      let newline;
      while ((newline = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, newline).trim();
        buffer = buffer.slice(newline + 1);
        if (!line) continue;
        let event;
        try {
          event = JSON.parse(line);
        } catch {
          continue; // not a line of the stream: nothing to show
        }
        if (event?.type === 'end') reason = String(event.reason ?? 'closed');
        else if (event && typeof event === 'object') onEvent(event);
      }
    }
    end({reason});
  })().catch(e => {
    if (!abort.signal.aborted) end({error: e.message});
  });
  return {
    stop() {
      ended = true;
      abort.abort();
    },
  };
}
