// The theme a page accepts from its parent: only the contract's variables, only short plain values,
// only from the parent window; applying a new theme replaces the old one.
import assert from 'node:assert/strict';
import { test } from 'vitest';
import { EMBED_JUPYTER, EMBED_PARAM, MESSAGE_THEME, THEME_VARIABLES } from '@trame-jupyter/common';
import { readPageOptions } from '../src/core/page.js';
import { applyTheme, listenForTheme, MAX_THEME_VALUE, themeFromMessage } from '../src/core/theme.js';

const message = (theme) => ({ type: MESSAGE_THEME, theme });

test('only the contract variables with safe values are kept', () => {
  const theme = themeFromMessage(
    message({
      scheme: 'dark',
      variables: {
        '--tj-font-family': " system-ui, 'Segoe UI', sans-serif ",
        '--tj-color': 'red; background: url(https://evil)',
        '--tj-background': '}html{display:none',
        '--tj-accent': '<script>',
        '--tj-border': 'x'.repeat(MAX_THEME_VALUE + 1),
        '--tj-font-size': 14,
        '--tj-input-background': '#222',
        '--not-ours': 'blue',
        background: 'blue',
      },
    }),
  );
  assert.deepEqual(theme, {
    scheme: 'dark',
    variables: { '--tj-font-family': "system-ui, 'Segoe UI', sans-serif", '--tj-input-background': '#222' },
  });
});

test('anything that is not a theme message is refused', () => {
  assert.equal(themeFromMessage(null), null);
  assert.equal(themeFromMessage({ type: 'other', theme: { scheme: 'light', variables: {} } }), null);
  assert.equal(themeFromMessage(message({ scheme: 'sepia', variables: {} })), null);
  assert.equal(themeFromMessage(message(null)), null);
  assert.deepEqual(themeFromMessage(message({ scheme: 'light' })), { scheme: 'light', variables: {} });
});

/** A document with just what applyTheme touches. */
function fakeDocument() {
  const properties = new Map();
  const style = {
    setProperty: (name, value) => properties.set(name, value),
    removeProperty: (name) => properties.delete(name),
  };
  return { properties, document: { documentElement: { style, dataset: {} } } };
}

test('applying a theme sets its variables and scheme, and resets the ones it lacks', () => {
  const { properties, document } = fakeDocument();
  applyTheme(document, { scheme: 'dark', variables: { '--tj-color': 'white', '--tj-background': 'black' } });
  assert.deepEqual(Object.fromEntries(properties), { '--tj-color': 'white', '--tj-background': 'black' });
  assert.equal(document.documentElement.dataset.tjScheme, 'dark');
  applyTheme(document, { scheme: 'light', variables: { '--tj-color': 'black' } });
  assert.deepEqual(Object.fromEntries(properties), { '--tj-color': 'black' });
  assert.equal(document.documentElement.dataset.tjScheme, 'light');
  assert.ok(THEME_VARIABLES.includes('--tj-background'));
});

test('a theme is applied only when the parent window posts it', () => {
  const { properties, document } = fakeDocument();
  const listeners = [];
  const parent = {};
  const win = { parent, document, addEventListener: (type, listener) => listeners.push(listener) };
  win.removeEventListener = () => listeners.pop();
  const applied = [];
  const stop = listenForTheme(win, (theme) => applied.push(theme));
  const data = message({ scheme: 'dark', variables: { '--tj-color': 'white' } });
  listeners[0]({ source: {}, data }); // another frame, or a popup: ignored
  listeners[0]({ source: win, data }); // the page itself: ignored
  assert.equal(properties.size, 0);
  listeners[0]({ source: parent, data });
  assert.equal(properties.get('--tj-color'), 'white');
  assert.equal(applied.length, 1);
  stop();
  assert.equal(listeners.length, 0);
});

test('the page knows it is embedded by the renderer from the parameter the renderer adds', () => {
  const href = `http://localhost/trame-jupyter/srv/index.html?ui=main&${EMBED_PARAM}=${EMBED_JUPYTER}`;
  assert.equal(readPageOptions(href).jupyterFrame, true);
  assert.equal(readPageOptions('http://localhost/trame-jupyter/srv/index.html?ui=main').jupyterFrame, false);
});
