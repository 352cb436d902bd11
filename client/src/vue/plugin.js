// The Vue side of the client: `app.use(TramePlugin, {connection, store})` mirrors the store into
// reactive state, registers the layout templates and built-in components, and runs js_call actions.
import { reactive, ref, toRaw } from 'vue';
import { KEY, RPC, TOPIC } from '../core/protocol.js';
import { ObjectUrls, download, typedArray } from '../core/bytes.js';
import { createScope } from './scope.js';
import { TemplateRegistry } from './templates.js';
import { createWslinkClient } from '../core/wslinkClient.js';
import {
  TrameClientStateChange,
  TrameClientTriggers,
  TrameStyle,
  makeTrameGetter,
  makeTrameScript,
  makeTrameSizeObserver,
  makeTrameTemplate,
} from './components.js';

export const TRAME_KEY = Symbol('trame');

function runAction(refs, action) {
  if (!action || typeof action !== 'object' || typeof action.ref !== 'string') {
    console.warn('trame-jupyter: ignoring an action of unknown shape', action);
    return;
  }
  const target = refs[action.ref];
  if (!target) {
    console.warn(`trame-jupyter: js_call: no element with ref '${action.ref}' is on this page`);
    return;
  }
  if (action.type === 'method') {
    if (typeof target[action.method] !== 'function') {
      console.warn(`trame-jupyter: js_call: ref '${action.ref}' has no method '${action.method}'`);
      return;
    }
    target[action.method](...(Array.isArray(action.args) ? action.args : []));
  } else if (action.type === 'property') {
    target[action.property] = action.value;
  } else {
    console.warn('trame-jupyter: ignoring an action of unknown type', action.type);
  }
}

/**
 * Build the client API and scope around a connection and a store (no Vue app needed: used by the
 * plugin, and testable alone).
 */
export function createTrame({ connection, store, onProblem }) {
  const data = reactive(Object.create(null));
  Object.assign(data, store.snapshot());

  const write = (key, value) => store.set(key, toRaw(value));
  const trigger = (name, args = [], kwargs = {}) => {
    store.flush(); // writes made before the trigger reach the server before it runs
    return connection.call(RPC.TRIGGER, [name, args, kwargs]);
  };
  const urls = new ObjectUrls(() => store.keys().map((key) => store.get(key)));
  const utils = {
    url: (value, mime) => urls.url(value, mime),
    typed: typedArray,
    download,
    get: (key) => data[key],
    vtk: {}, // trame-vtk's bundle registers its helpers here when it loads
  };
  const trame = {
    refs: Object.create(null),
    state: {
      get: (key) => store.get(key),
      set: write,
      update: (values) => store.update(toRaw(values)),
      flush: (...keys) => store.flush(...keys),
      /** `watch(keys, fn)`: fn(...values) when any of the keys changes; returns a function to stop. */
      watch: (keys, fn) =>
        store.onChange((changed) => {
          if (keys.some((key) => changed.includes(key))) fn(...keys.map((key) => store.get(key)));
        }),
      get data() {
        return data;
      },
      /** trame-client's name for the values (its widget code reads `trame.state.state[key]`). */
      get state() {
        return data;
      },
    },
    trigger,
    /** Call any RPC (custom protocols registered with add_protocol_to_configure). */
    rpc: (method, args = [], kwargs = {}) => connection.call(method, args, kwargs),
    /** The wslink client of trame's 3D widgets (session, remote protocols, image stream). */
    client: createWslinkClient(connection, { onServerError: onProblem }),
    utils,
  };

  const tts = ref(0);
  const scope = createScope(
    data,
    {
      trigger,
      set: write,
      get: (key) => data[key],
      setAll: (values) => store.update(toRaw(values)),
      flushState: (...keys) => store.flush(...keys),
      utils,
      trame,
      window,
      tts, // a ref: Vue unwraps it in templates
    },
    write,
  );
  const registry = new TemplateRegistry(scope, tts);
  trame.templates = registry;

  const applyTemplates = (keys) => {
    for (const name of TemplateRegistry.namesIn(keys)) registry.set(name, store.get(KEY.TEMPLATE_PREFIX + name));
  };
  applyTemplates(store.keys());
  store.onChange((keys) => {
    for (const key of keys) {
      if (store.has(key)) data[key] = store.get(key);
      else delete data[key];
    }
    applyTemplates(keys);
    urls.changed();
  });

  connection.subscribe(TOPIC.ACTIONS, (actions) => {
    if (!Array.isArray(actions)) {
      console.warn('trame-jupyter: ignoring actions of unknown shape', actions);
      return;
    }
    for (const action of actions) {
      try {
        runAction(trame.refs, action);
      } catch (error) {
        console.error('trame-jupyter: js_call failed:', error);
      }
    }
  });

  return { trame, data, scope, registry, write };
}

export const TramePlugin = {
  /** `app.use(TramePlugin, {connection, store, context})`; `context`: a `createTrame` result made earlier. */
  install(app, { connection, store, context = createTrame({ connection, store }) }) {
    const { trame, data, registry, write } = context;
    trame.app = app;
    app.provide(TRAME_KEY, context);
    app.provide('trame', trame); // what trame's widget packages inject
    app.config.globalProperties.trame = trame;
    app.component('trame-template', makeTrameTemplate(registry));
    app.component('trame-style', TrameStyle);
    app.component('trame-script', makeTrameScript(trame));
    app.component('trame-getter', makeTrameGetter(data, write));
    app.component('trame-client-triggers', TrameClientTriggers);
    app.component('trame-client-state-change', TrameClientStateChange);
    app.component('trame-size-observer', makeTrameSizeObserver(write));
  },
};
