// The API client: one fetch wrapper that sends the operator's key and
// turns every failure into an ApiError listing the server's problems.
import { el } from './dom.js';

let apiKey = '';

// setKey sets the bearer key sent on every call; blank sends none.
export function setKey(key) {
  apiKey = key.trim();
  return apiKey !== '';
}

// ApiError is a failed call: HTTP status (0 when there was no answer),
// the error body's code and message, and its problems [{field, message}].
export class ApiError extends Error {
  constructor(status, body) {
    super(body.message || `HTTP ${status}`);
    this.status = status;
    this.code = body.code || '';
    this.problems = Array.isArray(body.errors) ? body.errors : [];
  }
}

// call sends one request and returns the decoded JSON object.
export async function call(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (apiKey) headers.Authorization = `Bearer ${apiKey}`;
  const init = { method, headers, credentials: 'omit', cache: 'no-store' };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let resp;
  try {
    resp = await fetch(path, init);
  } catch (e) {
    throw new ApiError(0, { code: 'network', message: `the server did not answer (${e.message})` });
  }
  const data = decode(await resp.text());
  if (!resp.ok) {
    throw new ApiError(resp.status, data || { code: `http_${resp.status}`, message: resp.statusText });
  }
  if (!data) throw new ApiError(resp.status, { code: 'bad_response', message: 'the answer is not a JSON object' });
  return data;
}

// decode parses a JSON object; anything else is null.
function decode(text) {
  try {
    const v = JSON.parse(text);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? v : null;
  } catch {
    return null;
  }
}

// query builds a query string from the entries whose value is not ''.
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== '' && v !== undefined) q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : '';
}

// errorView lists a failure: status, code, message and every problem.
export function errorView(err) {
  if (!(err instanceof ApiError)) err = new ApiError(0, { code: 'console', message: String(err && err.message || err) });
  const head = err.status ? `${err.status} ${err.code}: ${err.message}` : `${err.code}: ${err.message}`;
  return el('div', { class: 'error', role: 'alert' },
    el('div', { class: 'error-head' }, head),
    err.problems.length === 0 ? null : el('ul', { class: 'problems' },
      err.problems.map((p) => el('li', { class: 'problem' }, problemText(p)))));
}

// problemText is one problem as "collection id field: message".
function problemText(p) {
  if (p === null || typeof p !== 'object') return String(p);
  const where = [p.collection, p.id, p.field].filter((s) => s !== undefined && s !== '').join(' ');
  return where ? `${where}: ${p.message}` : String(p.message);
}
