// `trame.client`: the wslink client that trame's 3D widgets reach through `inject('trame').client`.
//
// trame-vtk's views (vue-vtk-js) were written against trame-client's client, a wslink `WsLinkClient`:
// they read `getConnection().getSession()` (a wslink session: call, subscribe, unsubscribe),
// `getRemote().SyncView.getArray` (geometry arrays of local views) and `getImageStream()` (remote
// views' JPEG frames). This offers the same on the page's own connection, so 3D views share its
// authentication, reconnection and transport; the image stream is vtk.js's own (npm @kitware/vtk.js).
import vtkImageStream from '@kitware/vtk.js/IO/Core/ImageStream.js';
import { ERROR } from './protocol.js';

/**
 * A wslink session (the interface of wslink's JS `Session`) over `connection`.
 * @param {{call: Function, subscribe: Function}} connection the page's Connection
 * @param {(message: string) => void} [onServerError] told when a call fails in the server (a view that
 *   cannot render says why there: the widgets themselves only log it)
 */
export function createSession(connection, onServerError = () => {}) {
  // topic → (callback → stop function): wslink unsubscribes by {topic, callback}.
  const subscriptions = new Map();

  const unsubscribe = ({ topic, callback } = {}) => {
    const stop = subscriptions.get(topic)?.get(callback);
    if (!stop) return Promise.reject(new Error(`Unsubscribe call ${topic} unsuccessful: not subscribed`));
    stop();
    subscriptions.get(topic).delete(callback);
    return Promise.resolve();
  };

  return {
    call: (method, args = [], kwargs = {}) =>
      connection.call(method, args, kwargs).catch((error) => {
        if (error?.code === ERROR.EXCEPTION) onServerError(`${method}: ${error.message}`);
        throw error;
      }),
    subscribe(topic, callback) {
      if (!subscriptions.has(topic)) subscriptions.set(topic, new Map());
      // wslink hands each publish to its subscribers wrapped in an array (a WAMP heritage).
      subscriptions.get(topic).set(
        callback,
        connection.subscribe(topic, (payload) => callback([payload])),
      );
      const info = { topic, callback };
      return { ...info, promise: Promise.resolve(info), unsubscribe: () => unsubscribe(info) };
    },
    unsubscribe,
  };
}

/** The geometry protocol of trame-vtk's local views (`viewport.geometry.*` RPCs). */
function syncViewProtocol(session) {
  return {
    // A binary array arrives as bytes; vtk.js reads a Blob (as trame-client hands it).
    getArray: (hash, binary = true) =>
      session
        .call('viewport.geometry.array.get', [hash, binary])
        .then((array) => (array instanceof Uint8Array ? new Blob([array]) : array)),
    getViewState: (viewId, newSubscription = false) =>
      session.call('viewport.geometry.view.get.state', [viewId, newSubscription]),
    addViewObserver: (viewId) => session.call('viewport.geometry.view.observer.add', [viewId]),
    removeViewObserver: (viewId) => session.call('viewport.geometry.view.observer.remove', [viewId]),
    subscribeToViewChange: (callback) => session.subscribe('viewport.geometry.view.subscription', callback),
    unsubscribe: (subscription) => session.unsubscribe(subscription),
  };
}

/**
 * `trame.client` on the page's connection.
 * @param {{call: Function, subscribe: Function}} connection
 * @param {{onServerError?: (message: string) => void}} [options]
 */
export function createWslinkClient(connection, { onServerError } = {}) {
  const session = createSession(connection, onServerError);
  const remote = { SyncView: syncViewProtocol(session) };
  let imageStream = null; // made on first use: pages without remote views never subscribe to frames

  return {
    getConnection: () => ({ getSession: () => session }),
    getSession: () => session,
    getRemote: () => remote,
    getImageStream() {
      if (!imageStream) {
        imageStream = vtkImageStream.newInstance();
        imageStream.connect(session);
      }
      return imageStream;
    },
  };
}
