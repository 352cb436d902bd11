// The scope every layout template renders with: each state key (reactive, including keys that
// appear later) plus the helpers (trigger, set, get, …).
//
// Vue decides once per component and key where a name lives, and remembers "nowhere" for good. So
// the scope answers "yes, I have it" for any plausible state key, and reads it from the reactive
// state: a key that appears later is then tracked like any other.

const hasOwn = (object, key) => Object.prototype.hasOwnProperty.call(object, key);

/**
 * @param {object} data reactive object holding the state values
 * @param {object} helpers names that are not state keys (functions, utils, trame, tts …)
 * @param {Function} write `(key, value)` for assignments such as v-model
 */
export function createScope(data, helpers, write) {
  const target = Object.assign(Object.create(null), helpers);
  // `_x` and `$x` are Vue's own namespaces (and never reach a template scope anyway).
  const isStateKey = (key) => typeof key === 'string' && key[0] !== '_' && key[0] !== '$' && !hasOwn(target, key);

  return new Proxy(target, {
    get(object, key) {
      if (hasOwn(object, key)) return object[key];
      return isStateKey(key) ? data[key] : undefined;
    },
    set(object, key, value) {
      if (!isStateKey(key)) return false;
      write(key, value);
      return true;
    },
    has(object, key) {
      return hasOwn(object, key) || isStateKey(key);
    },
    getOwnPropertyDescriptor(object, key) {
      if (hasOwn(object, key)) return Reflect.getOwnPropertyDescriptor(object, key);
      if (!isStateKey(key)) return undefined;
      return { value: data[key], writable: true, enumerable: true, configurable: true };
    },
  });
}
