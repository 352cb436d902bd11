// The built-in components that Python widgets render (trame_jupyter/widgets/client.py).
import { h, onBeforeUnmount, onMounted, ref, watch } from 'vue';

/** `<trame-style :css>`: global CSS rules, replaced live. */
export const TrameStyle = {
  name: 'TrameStyle',
  props: { css: { type: String, default: '' } },
  setup(props) {
    const element = document.createElement('style');
    element.textContent = props.css;
    onMounted(() => document.head.appendChild(element));
    watch(() => props.css, (css) => (element.textContent = css));
    onBeforeUnmount(() => element.remove());
    return () => null;
  },
};

/** `<trame-script :script>`: JS run as a function body with `trame` in scope, on mount and on change. */
export function makeTrameScript(trame) {
  const run = (code) => {
    if (!code) return;
    try {
      new Function('trame', code)(trame); // eslint-disable-line no-new-func
    } catch (error) {
      console.error('trame-jupyter: a trame-script failed:', error);
    }
  };
  return {
    name: 'TrameScript',
    props: { script: { type: String, default: '' } },
    setup(props) {
      onMounted(() => run(props.script));
      watch(() => props.script, run);
      return () => null;
    },
  };
}

/** `<trame-template template-name="x">`: another layout's template, here. */
export function makeTrameTemplate(registry) {
  return {
    name: 'TrameTemplate',
    props: {
      templateName: { type: String, default: 'main' },
      useUrl: { type: Boolean, default: false },
      urlKey: { type: String, default: 'ui' },
    },
    setup(props) {
      return () => {
        let name = props.templateName;
        if (props.useUrl) name = new URL(window.location.href).searchParams.get(props.urlKey) || name;
        const entry = registry.get(name);
        return entry ? h(entry.component) : null;
      };
    },
  };
}

function setNested(root, path, value) {
  const keys = Array.isArray(path) ? path : String(path).split('.').filter(Boolean);
  if (!keys.length) return value;
  const copy = Array.isArray(root) ? [...root] : { ...(root && typeof root === 'object' ? root : {}) };
  copy[keys[0]] = setNested(copy[keys[0]], keys.slice(1), value);
  return copy;
}

/** `<trame-getter name="key" v-slot="{value, keyName, update, updateNested}">`. */
export function makeTrameGetter(state, write) {
  return {
    name: 'TrameGetter',
    props: { name: { type: String, required: true } },
    setup(props, { slots }) {
      const update = (value) => write(props.name, value);
      const updateNested = (path, value) => write(props.name, setNested(state[props.name], path, value));
      return () =>
        slots.default?.({ value: state[props.name], keyName: props.name, update, updateNested }) ?? null;
    },
  };
}

/** `<trame-client-triggers @mounted=… @before-unmount=…>`; Python fires any event with js_call(ref, 'emit', name). */
export const TrameClientTriggers = {
  name: 'TrameClientTriggers',
  inheritAttrs: false,
  setup(props, { emit, expose, slots }) {
    // Python names use underscores; template listeners are kebab-case (@my-event → onMyEvent).
    expose({ emit: (name, ...args) => emit(String(name).replace(/_/g, '-'), ...args) });
    onMounted(() => emit('mounted'));
    onBeforeUnmount(() => emit('beforeUnmount'));
    return () => slots.default?.() ?? null;
  },
};

/** `<trame-client-state-change :value @change>`: emits `change` when the value changes in the browser. */
export const TrameClientStateChange = {
  name: 'TrameClientStateChange',
  props: {
    value: { default: undefined },
    immediate: { type: Boolean, default: false },
    triggerChangeOnCreate: { type: Boolean, default: false },
  },
  emits: ['change'],
  setup(props, { emit, slots }) {
    watch(() => props.value, (value) => emit('change', value), { deep: true, immediate: props.immediate });
    onMounted(() => {
      if (props.triggerChangeOnCreate && !props.immediate) emit('change', props.value);
    });
    return () => slots.default?.() ?? null;
  },
};

/** `<trame-size-observer name="key">`: state[key] = {size: {width, height}, pixelRatio} of the parent box. */
export function makeTrameSizeObserver(write) {
  return {
    name: 'TrameSizeObserver',
    props: { name: { type: String, required: true } },
    setup(props) {
      const marker = ref(null);
      let observer = null;
      let last = '';
      onMounted(() => {
        const box = marker.value?.parentElement;
        if (!box) return;
        observer = new ResizeObserver(([entry]) => {
          const { width, height } = entry.contentRect;
          const value = { size: { width: Math.round(width), height: Math.round(height) }, pixelRatio: window.devicePixelRatio };
          const signature = JSON.stringify(value);
          if (signature !== last) {
            last = signature;
            write(props.name, value);
          }
        });
        observer.observe(box);
      });
      onBeforeUnmount(() => observer?.disconnect());
      return () => h('div', { ref: marker, style: 'display: none', 'data-trame-size-observer': props.name });
    },
  };
}
