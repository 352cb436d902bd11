// The transport and state-sync layer: no framework dependency.
export {
  RPC,
  TOPIC,
  PHASE,
  KEY,
  ERROR,
  STATUS,
  EMBED_MESSAGE,
  EMBED_PARAM,
  EMBED_JUPYTER,
  SESSION_PATH,
  WS_PATH,
  FILTER_KEY,
} from './protocol.js';
export { Session, RpcError } from './session.js';
export { Connection, STOP_REASON } from './connection.js';
export { StateStore } from './store.js';
export { websocketUrl, sessionUrl, readPageOptions, secretFromAddress, fetchSessionSecret } from './page.js';
export { forwardErrors } from './errors.js';
export { ResourceLoader, applyDocumentKeys } from './resources.js';
export { StatusView } from './status.js';
export { createEmbedding } from './embed.js';
export { parentSocketClass } from './parentSocket.js';
export { parentFetch } from './parentFetch.js';
export { pageSnapshot } from './snapshot.js';
export { themeFromMessage, applyTheme, listenForTheme } from './theme.js';
export { ObjectUrls, typedArray, download } from './bytes.js';
export { encodeFiles, needsFileEncoding } from './files.js';
