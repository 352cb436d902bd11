// Browser errors reach the Python side (trame.error.client), so a notebook user sees them.
// Guarded against loops (an error raised while reporting one) and floods (a render error per frame).

const MAX_LENGTH = 4000;

function describe(value) {
  if (value instanceof Error) return value.stack || `${value.name}: ${value.message}`;
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

/**
 * Forward `console.error` calls, uncaught errors and unhandled rejections to `send(message)`.
 * @param {object} options
 * @param {Function} options.send `(message) => Promise`; may reject (not connected): the message is kept
 * @param {number} [options.burst] messages allowed per `window` ms before the rest are counted, not sent
 * @returns {{flush: Function, uninstall: Function}} `flush()` sends what was kept while disconnected
 */
export function forwardErrors({ send, target = globalThis, burst = 20, window: windowMs = 10000, keep = 20 }) {
  const console = target.console;
  const original = console.error;
  const kept = [];
  let reporting = false;
  let windowStart = 0;
  let sentInWindow = 0;
  let dropped = 0;

  function deliver(message) {
    Promise.resolve()
      .then(() => send(message))
      .catch(() => {
        if (kept.length < keep) kept.push(message);
      });
  }

  function report(args) {
    if (reporting) return; // an error while reporting an error: never loop
    reporting = true;
    try {
      const now = Date.now();
      if (now - windowStart > windowMs) {
        if (dropped) deliver(`(${dropped} more browser errors were not reported)`);
        windowStart = now;
        sentInWindow = 0;
        dropped = 0;
      }
      if (sentInWindow >= burst) {
        dropped += 1;
        return;
      }
      sentInWindow += 1;
      deliver(args.map(describe).join(' ').slice(0, MAX_LENGTH));
    } finally {
      reporting = false;
    }
  }

  console.error = function forwardedError(...args) {
    original.apply(this, args);
    report(args);
  };
  const onError = (event) => report([event.error ?? event.message]);
  const onRejection = (event) => report(['Unhandled promise rejection:', event.reason]);
  target.addEventListener?.('error', onError);
  target.addEventListener?.('unhandledrejection', onRejection);

  return {
    flush() {
      for (const message of kept.splice(0)) deliver(message);
    },
    uninstall() {
      console.error = original;
      target.removeEventListener?.('error', onError);
      target.removeEventListener?.('unhandledrejection', onRejection);
    },
  };
}
