// Fetching the server's files through the embedding window (a page whose transport is the comm): the
// window relays each request over the kernel comm (labextension/src/commRelay.ts) and posts the reply
// back, its body an ArrayBuffer moved across `postMessage`.
import { COMM_MESSAGE, FetchClient, MESSAGE_FETCH, MESSAGE_FETCH_REPLY } from '@trame-jupyter/common';

/**
 * A `fetchFile(path) => Promise<{status, mime, reason, body}>` going through `parent`.
 * @param {object} options
 * @param {Window} options.self this page's window (replies arrive on it)
 * @param {Window} options.parent the embedding window
 * @param {string|null} options.serverId echoed in every request
 */
export function parentFetch({ self, parent, serverId }) {
  const client = new FetchClient((data) => {
    /** @type {import('@trame-jupyter/common').IFetchMessage} */
    const request = { type: MESSAGE_FETCH, server_id: serverId, id: data.id, path: data.path };
    parent.postMessage(request, '*');
  });
  self.addEventListener('message', (event) => {
    /** @type {import('@trame-jupyter/common').Untrusted<import('@trame-jupyter/common').IFetchReplyMessage>} */
    const data = event.data;
    // Only the embedding window answers, and only with replies.
    if (event.source !== parent || !data || typeof data !== 'object' || data.type !== MESSAGE_FETCH_REPLY) return;
    const body = data.body instanceof ArrayBuffer ? [data.body] : [];
    client.receive({ ...data, type: COMM_MESSAGE.FETCH_REPLY }, body);
  });
  return (path) => client.fetch(path);
}
