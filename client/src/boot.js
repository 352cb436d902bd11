// Page start-up: read the address, connect, load the state and resources, mount the Vue app, and
// keep it in sync across reconnections. Two globals are set, because trame's widget bundles (UMD) need
// them: `Vue` (bound at their load) and `trame` (the client API, also injected as "trame").
import * as Vue from 'vue';
import { loadMediaOverComm } from './core/commMedia.js';
import { Connection, STOP_REASON } from './core/connection.js';
import { createEmbedding } from './core/embed.js';
import { forwardErrors } from './core/errors.js';
import {
  fetchSessionSecret,
  pageAddress,
  readPageOptions,
  secretFromAddress,
  sessionUrl,
  websocketUrl,
} from './core/page.js';
import { parentFetch } from './core/parentFetch.js';
import { parentSocketClass } from './core/parentSocket.js';
import { KEY, PHASE, RPC, STATUS, TOPIC } from './core/protocol.js';
import { ResourceLoader, applyDocumentKeys } from './core/resources.js';
import { pageSnapshot } from './core/snapshot.js';
import { StatusView } from './core/status.js';
import { StateStore } from './core/store.js';
import { listenForTheme } from './core/theme.js';
import { createRoot, useGlobalPlugins } from './vue/app.js';
import { followSchemeWithVuetify } from './vue/vuetifyScheme.js';
import { TramePlugin, createTrame } from './vue/plugin.js';
import { ProblemsView } from './core/problems.js';

const RESOURCE_KEYS = [KEY.STYLES, KEY.SCRIPTS, KEY.MODULE_SCRIPTS];
const isPlainObject = (value) => value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * Start the client in `win` (a window with #trame-jupyter-root, #trame-jupyter-status and #app).
 * @returns the connection and store, for callers that want to drive or inspect the page
 */
export async function boot(win, { retry } = {}) {
  const doc = win.document;
  const root = doc.getElementById('trame-jupyter-root');
  const appElement = doc.getElementById('app');
  // A page loaded over the comm has no address of its own (srcdoc): its host gives it one.
  const pageHref = pageAddress(win);
  const { ui, serverId, jupyterFrame, transport } = readPageOptions(pageHref);
  const embedded = win.parent && win.parent !== win;
  // Over the comm the embedding window relays the frames; the kernel trusts its comms, so no secret.
  const overComm = transport === 'comm' && embedded;
  // Listen before anything is awaited: the parent posts the theme as soon as the frame loads.
  if (embedded) listenForTheme(win);
  const status = new StatusView(doc.getElementById('trame-jupyter-status'), appElement, {
    shown: !(embedded && jupyterFrame),
  });
  const embedding = createEmbedding({ self: win, parent: embedded ? win.parent : null, content: root, serverId });
  let app = null; // the mounted Vue app, once the first state arrived
  // When the connection is lost, the app's last picture goes to the parent first (then the status
  // that makes it show it); once per loss, and only if the app was shown.
  let pictureSent = false;
  status.onChange((value) => {
    if (value === STATUS.LIVE) {
      pictureSent = false;
    } else if ((value === STATUS.RECONNECTING || value === STATUS.STOPPED) && app && !pictureSent) {
      pictureSent = true;
      const html = pageSnapshot(appElement);
      if (html) embedding.postSnapshot(html);
    }
    embedding.postStatus(value);
  });
  status.set(STATUS.CONNECTING);

  // The secret: #secret= or ?secret= (then removed from the address bar), else the session endpoint
  // of the Jupyter proxy, which is asked again at every reconnection.
  const address = secretFromAddress(pageHref);
  if (address.cleanHref) win.history.replaceState(win.history.state, '', address.cleanHref);
  let secret = address.secret;
  let refreshSecret = null;
  let noServer = null; // why no server can answer: 'gone' (stopped) or 'no-secret' (opened without it)
  if (overComm) {
    secret = '';
  } else if (!secret) {
    const endpoint = sessionUrl(pageHref);
    const answer = await fetchSessionSecret(endpoint);
    if (answer.status === 'ok') secret = answer.secret;
    if (answer.status === 'gone' || answer.status === 'no-secret') noServer = answer.status;
    else refreshSecret = () => fetchSessionSecret(endpoint);
  }

  let connection = null;
  let context = null; // the client API (createTrame), made with the first state, before any bundle loads
  const store = new StateStore({ call: (method, args) => connection.call(method, args) });
  const problems = new ProblemsView(doc.getElementById('trame-jupyter-problems'));
  // Over the comm the server's files (widget packages' scripts and styles) come through it too.
  const fetchFile = overComm ? parentFetch({ self: win, parent: win.parent, serverId }) : null;
  const resources = new ResourceLoader(doc, (url) => problems.add(`Could not load ${url}.`), { fetchFile });
  // And so do the images a layout names by a URL of the server.
  if (overComm) {
    loadMediaOverComm({
      root: appElement,
      isServerFile: (href) => resources.fetchesOverComm(href),
      source: (href) => resources.blobOf(href),
    });
  }
  const errors = forwardErrors({
    send: (message) => (connection?.session ? connection.call(RPC.CLIENT_ERROR, [message]) : Promise.reject()),
    target: win,
  });

  const onOpen = async () => {
    const result = await connection.call(RPC.STATE_GET);
    if (!isPlainObject(result) || !isPlainObject(result.state)) {
      throw new Error('trame.state.get answered without a state');
    }
    store.replaceAll(result.state);
    if (!context) {
      context = createTrame({ connection, store, onProblem: (message) => problems.add(message) });
      win.Vue = Vue;
      win.trame = context.trame;
    }
    await resources.sync(store);
    if (!app) app = mount();
    errors.flush();
    connection.call(RPC.LIFECYCLE, [PHASE.CONNECTED]).catch((error) => console.warn('trame-jupyter:', error.message));
  };

  const WebSocketImpl = overComm ? parentSocketClass({ self: win, parent: win.parent, serverId }) : undefined;
  connection = new Connection({ url: websocketUrl(pageHref), secret, refreshSecret, onOpen, retry, WebSocketImpl });
  connection.onBusy((count) => store.setBusy(count));
  connection.onStatus((value, reason) => {
    let detail;
    if (value === STATUS.STOPPED) {
      detail = STOP_REASON[noServer || reason];
    }
    status.set(value, detail);
  });
  connection.subscribe(TOPIC.STATE, (changes) => {
    if (isPlainObject(changes)) store.applyRemote(changes);
    else console.warn('trame-jupyter: ignoring a state message of unknown shape', changes);
  });
  store.onChange((keys) => {
    applyDocumentKeys(store, keys, doc);
    if (app && keys.some((key) => RESOURCE_KEYS.includes(key))) resources.sync(store);
  });

  function mount() {
    const vueApp = Vue.createApp(createRoot(ui));
    vueApp.config.errorHandler = (error, instance, info) => {
      console.error(`trame-jupyter: error in ${info}:`, error);
    };
    vueApp.use(TramePlugin, { connection, store, context });
    const plugins = useGlobalPlugins(vueApp, store.get(KEY.VUE_USE), context.trame, win, (name) =>
      problems.add(`The Vue plugin ${name} could not be installed.`),
    );
    followSchemeWithVuetify(plugins, store, doc);
    vueApp.mount(appElement);
    return vueApp;
  }

  win.addEventListener('beforeunload', () => {
    if (connection.session) connection.call(RPC.LIFECYCLE, [PHASE.EXITED]).catch(() => {});
  });
  win.addEventListener('pagehide', (event) => {
    if (!event.persisted) connection.close();
  });

  connection.start();
  return { connection, store, status };
}
