// The Glambdar HTTP API as the page calls it. In keyed mode the admin key is kept in this tab's sessionStorage only
// (never localStorage, a cookie or the URL) and sent as `Authorization: Bearer`.

const KEY_ITEM = 'glambdar.adminKey';

export const adminKey = {
  get: () => sessionStorage.getItem(KEY_ITEM),
  set: key => sessionStorage.setItem(KEY_ITEM, key),
  clear: () => sessionStorage.removeItem(KEY_ITEM),
};

/** A refusal of the server, with its `{"error": ...}` message. */
export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

const unauthorizedListeners = [];

/** `listener(message)` runs whenever the server answers 401 to one of the page's own calls. */
export function onUnauthorized(listener) {
  unauthorizedListeners.push(listener);
}

/**
 * A request with the admin key (if any). `authPrompt: false` for invocations, whose 401 may be the function's own.
 * Resolves to the fetch Response whatever its status.
 */
export async function send(method, path, {body, headers, signal, authPrompt = true} = {}) {
  const allHeaders = new Headers(headers ?? {});
  const key = adminKey.get();
  // A function's own Authorization (Basic, a JWT) passes through to it: the admin key then goes as X-Glambdar-Key,
  // which invocations read too.
  if (key && !allHeaders.has('Authorization')) allHeaders.set('Authorization', `Bearer ${key}`);
  else if (key && !allHeaders.has('X-Glambdar-Key')) allHeaders.set('X-Glambdar-Key', key);
  const response = await fetch(path, {
    method, body, signal, headers: allHeaders, cache: 'no-store', credentials: 'omit', redirect: 'error',
  });
  if (response.status === 401 && authPrompt) {
    const message = await errorMessage(response.clone());
    unauthorizedListeners.forEach(listener => listener(message));
  }
  return response;
}

/** A JSON call: the parsed answer (null for a 204), or an ApiError with the server's message. */
export async function api(method, path, options = {}) {
  const {json, ...rest} = options;
  if (json !== undefined) {
    rest.body = JSON.stringify(json);
    rest.headers = {'Content-Type': 'application/json', ...(rest.headers ?? {})};
  }
  const response = await send(method, path, rest);
  if (!response.ok) throw new ApiError(response.status, await errorMessage(response));
  return response.status === 204 ? null : response.json();
}

export const get = (path, options) => api('GET', path, options);

/** The server's `{"error": ...}`, or the status and the start of whatever else came back. */
export async function errorMessage(response) {
  const text = await response.text();
  try {
    const parsed = JSON.parse(text);
    if (parsed && typeof parsed.error === 'string') return parsed.error;
  } catch {
    // not JSON: said below as it is
  }
  return `${response.status} ${response.statusText}${text ? `: ${text.slice(0, 300)}` : ''}`;
}

/** A path segment: function names are checked by the server, but ids and versions come from data. */
export const seg = value => encodeURIComponent(String(value));
