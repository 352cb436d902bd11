// When the page is inside an iframe (a notebook output), tell the parent how tall the content is,
// how the connection is doing, and what the app looked like when the connection was lost, so the
// output can size itself, show what happens, and keep the last picture once the server is gone.
import { EMBED_MESSAGE } from './protocol.js';

/**
 * What `post` is given: a message of the contract but its `server_id`, which `post` adds.
 * @typedef {Omit<import('@trame-jupyter/common').ISizeMessage, 'server_id'>
 *   | Omit<import('@trame-jupyter/common').IStatusMessage, 'server_id'>
 *   | Omit<import('@trame-jupyter/common').ISnapshotMessage, 'server_id'>} PageToParent
 */

/**
 * @param {object} options
 * @param {Window} options.self this page's window
 * @param {Window|null} options.parent where to post (null when not embedded)
 * @param {HTMLElement} options.content the element whose height is the content height; it must not
 *   take its height from the viewport, or the parent resizing the frame would feed back into it
 * @param {string|null} options.serverId echoed in every message (the `server_id` query parameter)
 */
export function createEmbedding({ self, parent, content, serverId }) {
  if (!parent || parent === self) {
    return { postStatus() {}, postSnapshot() {}, disconnect() {} };
  }
  /** @param {PageToParent} message */
  const post = (message) => {
    try {
      // Any origin: the parent may be Jupyter on another port; nothing secret is in these messages.
      parent.postMessage({ ...message, server_id: serverId }, '*');
    } catch (error) {
      console.warn('trame-jupyter: cannot post to the parent page:', error.message);
    }
  };

  let lastHeight = -1;
  let scheduled = false;
  const measure = () => {
    scheduled = false;
    const height = Math.ceil(content.getBoundingClientRect().height);
    if (height !== lastHeight) {
      lastHeight = height;
      post({ type: EMBED_MESSAGE.SIZE, height });
    }
  };
  // At most one message per frame; the timeout covers frames whose rendering is throttled (hidden).
  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    const timer = setTimeout(measure, 100);
    self.requestAnimationFrame(() => {
      clearTimeout(timer);
      if (scheduled) measure();
    });
  };
  const observer = new self.ResizeObserver(schedule);
  observer.observe(content);
  schedule();

  return {
    postStatus(status) {
      post({ type: EMBED_MESSAGE.STATUS, status });
    },
    postSnapshot(html) {
      post({ type: EMBED_MESSAGE.SNAPSHOT, html });
    },
    disconnect() {
      observer.disconnect();
    },
  };
}
