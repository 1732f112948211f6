// The console's entry point: the API key field and the four panels.
import { setKey } from './api.js';
import { setupAccess } from './access.js';
import { setupAsk } from './ask.js';
import { refreshStatus, setupStatus } from './status.js';
import { setupWho } from './who.js';

function setupKey() {
  const input = document.getElementById('api-key');
  const state = document.getElementById('key-state');
  const update = () => {
    state.textContent = setKey(input.value) ? 'key set: sent as a bearer token' : 'no key: requests go without one';
  };
  input.addEventListener('input', update);
  document.getElementById('key-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    update();
    refreshStatus();
  });
}

setupKey();
setupAsk();
setupAccess();
setupWho();
setupStatus();
refreshStatus();
document.body.dataset.ready = 'true';
