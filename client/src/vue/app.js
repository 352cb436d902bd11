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

/** `app.use(window[name], opts)` for every `trame__vue_use` entry ("Name" or ["Name", opts]). */
export function useGlobalPlugins(app, entries, globals = window) {
  for (const entry of Array.isArray(entries) ? entries : []) {
    const [name, options] = Array.isArray(entry) ? entry : [entry, undefined];
    const plugin = String(name)
      .split('.')
      .reduce((object, part) => (object == null ? undefined : object[part]), globals);
    if (!plugin) {
      console.error(`trame-jupyter: Vue plugin '${name}' (trame__vue_use) is not loaded: no global of that name`);
      continue;
    }
    try {
      app.use(plugin, ...(options === undefined ? [] : [options]));
    } catch (error) {
      console.error(`trame-jupyter: Vue plugin '${name}' failed to install:`, error);
    }
  }
}
