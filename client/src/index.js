// Public surface of the client package: the start-up function and the two layers it is built from.
export { boot } from './boot.js';
export { Connection, StateStore, Session, RpcError, RPC, TOPIC, KEY, STATUS } from './core/index.js';
export { TramePlugin, createTrame, TemplateRegistry } from './vue/index.js';
