import './style.css';
import { boot } from './boot.js';

boot(window).catch((error) => {
  console.error('trame-jupyter: the client failed to start:', error);
  const status = document.getElementById('trame-jupyter-status');
  if (status) {
    status.dataset.status = 'stopped';
    status.hidden = false;
    status.textContent = `The client failed to start: ${error?.message ?? error}`;
  }
});
