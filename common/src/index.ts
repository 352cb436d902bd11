/**
 * `@trame-jupyter/common`: what the front ends of trame-jupyter share, imported by package name by the
 * JupyterLab extension (`labextension/`), the browser page and the anywidget front end (`client/`).
 *
 * - `contract.ts`: the contract with the Python package (values and message shapes), the twin of the
 *   Python module `trame_jupyter.core.contract`;
 * - `pageLoader.ts`: loading a view's page over a fetch function (a kernel comm, a widget's messages);
 * - `theme.ts`: the notebook's theme, posted to the pages;
 * - `embed.ts`: the query parameter of a page embedded by the JupyterLab renderer;
 * - `xsrf.ts`: Jupyter's XSRF token on our same-origin requests (JupyterHub refuses them without it).
 */
export {
  API_KERNELS_PATH,
  API_SERVERS_PATH,
  BUNDLE_FIELDS,
  COMM_CLOSE_NOT_FOUND,
  COMM_MESSAGE,
  COMM_OPEN_BATCHES,
  COMM_TARGET,
  FETCH_STATUSES,
  KEY,
  MAX_HEIGHT,
  MAX_PAGE_SNAPSHOT,
  MESSAGE_COMM_CLOSE,
  MESSAGE_COMM_FRAME,
  MESSAGE_COMM_OPEN,
  MESSAGE_FETCH,
  MESSAGE_FETCH_REPLY,
  MESSAGE_SIZE,
  MESSAGE_SNAPSHOT,
  MESSAGE_STATUS,
  MESSAGE_THEME,
  MIME_TYPE,
  MIN_HEIGHT,
  PROTOCOL_VERSION,
  REASON_NOT_REGISTERED,
  RESERVED_PREFIX,
  ROUTE,
  RPC,
  SERVER_ID_PATTERN,
  SESSION_PATH,
  STATUSES,
  THEME_VARIABLES,
  TOPIC,
  TRANSPORT_PARAM,
  TRANSPORTS,
  WAITING_AFTER_MS,
  WS_PATH
} from './contract.js';
export type {
  CommMessage,
  IBundle,
  ICommCloseData,
  ICommFetchMessage,
  ICommFetchReply,
  ICommFrameMessage,
  ICommOpenData,
  IFetchMessage,
  IFetchReplyMessage,
  IFromPage,
  IRelayChannel,
  IRelayCloseMessage,
  IRelayFrameMessage,
  IRelayOpenMessage,
  ISizeMessage,
  ISnapshotMessage,
  IStatusMessage,
  ITheme,
  IThemeMessage,
  IWidgetChannel,
  IWidgetChannelClose,
  IWidgetChannelOpen,
  IWidgetFetchMessage,
  IWidgetFetchReplyMessage,
  IWidgetFrameMessage,
  PageMessage,
  Status,
  ThemeVariable,
  Transport,
  Untrusted,
  WidgetMessage,
  WindowMessage
} from './contract.js';

export {
  commPageHref,
  FETCH_TIMEOUT_MS,
  FetchClient,
  FetchError,
  fetchFile,
  isServerPath,
  loadPage,
  ownBuffer,
  PAGE_GLOBAL,
  pageReferences,
  rewriteReferences,
  serverPath,
  withPageAddress
} from './pageLoader.js';
export type { FetchFile, IBlobUrls, IFetchReply, ILoadedPage, IPageAddress } from './pageLoader.js';

export {
  currentTheme,
  hostScheme,
  JUPYTER_SOURCES,
  MAX_THEME_VALUE,
  onThemeChanged,
  readTheme,
  themeMarks,
  themeMessage,
  themeValue
} from './theme.js';

export { EMBED_JUPYTER, EMBED_PARAM } from './embed.js';

export { withXsrf, withXsrfQuery, xsrfToken } from './xsrf.js';
