// The REST API of docs/api.md with the signed-in token. The token lives in sessionStorage (this
// tab only, gone when it closes) and travels only in the Authorization header, never in a URL.

const TOKEN_KEY = 'zk-scheduler.token';

export function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function setToken(value) {
  if (value) sessionStorage.setItem(TOKEN_KEY, value);
  else sessionStorage.removeItem(TOKEN_KEY);
}

/** A failed call: status, the API's message and its field errors (422). */
export class ApiError extends Error {
  constructor(status, body) {
    super(body?.message || `the service answered ${status}`);
    this.status = status;
    this.errors = body?.errors || [];
  }
}

/** Calls the API; resolves to {body, etag} or rejects with ApiError. */
export async function call(method, path, body, headers = {}) {
  const init = {method, headers: {Accept: 'application/json', ...headers}, cache: 'no-store'};
  const t = token();
  if (t) init.headers.Authorization = `Bearer ${t}`;
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(`/api/v1${path}`, init);
  } catch (e) {
    throw new ApiError(0, {message: `the service cannot be reached (${e.message})`});
  }
  const text = await response.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (!response.ok) throw new ApiError(response.status, json);
  return {body: json, etag: response.headers.get('ETag')};
}

export const get = path => call('GET', path).then(r => r.body);
export const enc = encodeURIComponent;

/** A failed call as a sentence a person can act on. */
export function describe(error) {
  if (!(error instanceof ApiError)) return `Something went wrong: ${error.message}`;
  switch (error.status) {
    case 0: return error.message;
    case 401: return 'That token was not accepted (401): check it and sign in again.';
    case 403: return `Your role may not do that (403): ${error.message}`;
    case 404: return `Not found (404): ${error.message}`;
    default: return `The service answered ${error.status}: ${error.message}`;
  }
}

