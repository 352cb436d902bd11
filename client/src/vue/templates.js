// Layout templates (state keys trame__template_<name>) compiled at run time into components.
// A template that fails to compile, or throws while rendering, shows its error in place.
import { compile, h, markRaw, ref, shallowReactive } from 'vue';
import { KEY } from '../core/protocol.js';

export const ERROR_CLASS = 'trame-jupyter-template-error';

function errorNode(message) {
  return h('pre', { class: ERROR_CLASS, role: 'alert' }, message);
}

export class TemplateRegistry {
  /**
   * @param {object} scope the template scope (see scope.js)
   * @param {object} tts a ref bumped at every template change (keys of ttsSensitive elements)
   */
  constructor(scope, tts = ref(0)) {
    this.scope = scope;
    this.entries = shallowReactive(new Map()); // name → {template, component}
    this.tts = tts;
    this._compiled = new Map(); // template text → {render} | {error}
  }

  /** Names of templates a state change touched, e.g. ['main'] for trame__template_main. */
  static namesIn(keys) {
    return keys.filter((key) => key.startsWith(KEY.TEMPLATE_PREFIX)).map((key) => key.slice(KEY.TEMPLATE_PREFIX.length));
  }

  has(name) {
    return this.entries.has(name);
  }

  get(name) {
    return this.entries.get(name);
  }

  /** Register or replace a template; the components showing it re-render with the new one. */
  set(name, template) {
    if (typeof template !== 'string') {
      this.delete(name);
      return;
    }
    const current = this.entries.get(name);
    if (current && current.template === template) return;
    this.entries.set(name, { template, component: markRaw(this._component(name, template)) });
    this.tts.value += 1;
  }

  delete(name) {
    if (this.entries.delete(name)) this.tts.value += 1;
  }

  _compile(name, template) {
    let compiled = this._compiled.get(template);
    if (compiled) return compiled;
    const errors = [];
    try {
      const render = compile(template, { onError: (error) => errors.push(error), onWarn: () => {} });
      compiled = errors.length ? { error: errors.map(describeCompileError).join('\n') } : { render };
    } catch (error) {
      compiled = { error: errors.length ? errors.map(describeCompileError).join('\n') : String(error.message ?? error) };
    }
    if (compiled.error) console.error(`trame-jupyter: template '${name}' does not compile: ${compiled.error}`);
    if (this._compiled.size > 200) this._compiled.clear(); // hot reloading many versions: do not grow forever
    this._compiled.set(template, compiled);
    return compiled;
  }

  _component(name, template) {
    const compiled = this._compile(name, template);
    const scope = this.scope;
    if (compiled.error) {
      return { name: `trame-template-${name}`, render: () => errorNode(`Template '${name}': ${compiled.error}`) };
    }
    const inner = compiled.render;
    let reported = null;
    function render(...args) {
      try {
        return inner.apply(this, args);
      } catch (error) {
        const message = `Template '${name}' failed to render: ${error?.message ?? error}`;
        if (message !== reported) {
          reported = message;
          console.error(`trame-jupyter: ${message}`);
        }
        return errorNode(message);
      }
    }
    render._rc = true; // a run-time compiled render function: Vue gives it the `with`-friendly proxy
    return { name: `trame-template-${name}`, setup: () => scope, render };
  }
}

function describeCompileError(error) {
  const where = error.loc ? ` (line ${error.loc.start.line}, column ${error.loc.start.column})` : '';
  return `${error.message}${where}`;
}
