// The root component: the layout picked by `?ui=` (default main), or a clear message if there is none.
import { h, inject } from 'vue';
import { TRAME_KEY } from './plugin.js';

export const MISSING_CLASS = 'trame-jupyter-missing-layout';

export function createRoot(ui) {
  return {
    name: 'TrameJupyterRoot',
    setup() {
      const { registry } = inject(TRAME_KEY);
      return () =>
        registry.has(ui)
          ? h(registry.get(ui).component)
          : h('p', { class: MISSING_CLASS }, `This server has no layout named '${ui}'.`);
    },
  };
}

/**
 * Evaluate one `trame__vue_use` entry: `"expression"` or `["expression", ...options]`, where an option
 * `{js_eval: "expression"}` is evaluated too (trame's format). Expressions run in the page's global
 * scope with `trame` in reach, e.g. `Vuetify.createVuetify(trame.state.get('trame__vuetify3_config')||{})`.
 * Only Python can set this key: the server refuses `trame__*` writes from browsers.
 * @returns {[object, ...any[]]} the plugin and its options
 */
export function evaluatePlugin(entry, trame, globals = window) {
  const [expression, ...options] = Array.isArray(entry) ? entry : [entry];
  const run = (code) => new globals.Function('trame', `"use strict"; return (${code});`)(trame);
  const plugin = run(String(expression));
  if (!plugin) throw new Error('it evaluates to nothing (is its script loaded?)');
  return [plugin, ...options.map((option) => (option && typeof option.js_eval === 'string' ? run(option.js_eval) : option))];
}

/**
 * `app.use(...)` every `trame__vue_use` entry. A failing entry is reported (`onError(entry, error)` and the
 * console) and skipped: the rest of the page still mounts. Returns the plugins installed.
 */
export function useGlobalPlugins(app, entries, trame, globals = window, onError = () => {}) {
  const installed = [];
  for (const entry of Array.isArray(entries) ? entries : []) {
    const name = Array.isArray(entry) ? entry[0] : entry;
    try {
      const [plugin, ...options] = evaluatePlugin(entry, trame, globals);
      app.use(plugin, ...options);
      installed.push(plugin);
    } catch (error) {
      console.error(`trame-jupyter: Vue plugin '${name}' (trame__vue_use) could not be installed: ${error?.message ?? error}`);
      onError(String(name), error);
    }
  }
  return installed;
}
