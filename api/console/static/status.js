// The Status panel: GET /v1/status, refreshed on demand.
import { call, errorView } from './api.js';
import { busy, el, kv, show } from './dom.js';

export function setupStatus() {
  document.getElementById('status-refresh').addEventListener('click', refreshStatus);
}

export async function refreshStatus() {
  const area = document.getElementById('status-result');
  busy(area);
  try {
    show(area, 'done', statusView(await call('GET', '/v1/status')));
  } catch (err) {
    show(area, 'error', errorView(err));
  }
}

function statusView(s) {
  const rows = [
    ['ready', s.ready], ['revision', s.revision], ['loaded at', s.loadedAt], ['uptime', s.uptime],
  ];
  return [
    el('dl', { class: 'kv' }, rows.map(([k, v]) => [el('dt', {}, k), el('dd', { 'data-field': k }, String(v ?? '—'))])),
    el('h3', {}, 'Sync and freshness'), el('div', { 'data-field': 'sync' }, kv(s.sync)),
    el('h3', {}, 'Store: documents'), el('div', { 'data-field': 'documents' }, kv(s.documents)),
    el('h3', {}, 'Skipped documents'), el('div', { 'data-field': 'skipped' }, kv(s.skipped)),
    Array.isArray(s.skippedPolicies) && s.skippedPolicies.length > 0 ?
      [el('h3', {}, 'Skipped policies'), el('div', { 'data-field': 'skippedPolicies' }, kv(s.skippedPolicies))] : null,
    el('p', { class: 'muted' }, `as of ${new Date().toLocaleTimeString()}`),
  ];
}
