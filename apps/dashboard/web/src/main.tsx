/** Entry point of the dashboard bundle. */
import { render } from 'preact';
import { App } from './app.js';

const root = document.getElementById('app');
if (root) {
  // Drop the static loading text; Preact would otherwise render next to it.
  root.textContent = '';
  render(<App />, root);
}
