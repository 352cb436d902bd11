// The front end of `server.widget` (trame_jupyter/jupyter/anywidget_view.py): an anywidget ESM, so it
// renders wherever ipywidgets do (JupyterLab, Notebook 7, Voilà, VS Code, Colab) with no extension of
// ours. It shows the server's page in an iframe with `?transport=comm`: the page posts its wslink frames
// (and its requests for files) to this window, and `relay.js` carries them in the widget's custom
// messages to the kernel. The page itself comes through our proxy where it answers, else over the same
// messages (`pageSource`).
//
// Model traits (set by the kernel): server_id, page_path (the page under the Jupyter base URL, through
// our server extension's proxy), page_url (the page at an address the kernel inferred: its own port,
// Colab's proxy; the address of a page loaded over the messages), frame_height / frame_width (CSS
// lengths or ''), stopped and snapshot (the last picture, sanitized by the kernel, once the server stopped).
import {
  currentTheme,
  loadPage,
  MAX_HEIGHT,
  MESSAGE_SIZE,
  MESSAGE_STATUS,
  MIN_HEIGHT,
  onThemeChanged,
  themeMessage,
  withXsrf,
} from '@trame-jupyter/common';
import { createRelay } from './relay.js';

/** `data-status` of a view whose kernel restarted or stopped (else the page's own status). */
const KERNEL_LOST = 'kernel-lost';
/** Height of a following frame until the page reports its content height. */
const INITIAL_HEIGHT = 150;

/** The Jupyter base URL of the embedding page (JupyterLab, Notebook 7 and Voilà publish it), or null. */
export function jupyterBaseUrl(doc) {
  const node = doc.getElementById('jupyter-config-data');
  if (!node) return null;
  try {
    const base = JSON.parse(node.textContent || '{}').baseUrl;
    return typeof base === 'string' && base ? base : null;
  } catch {
    return null;
  }
}

/**
 * Where the page comes from: our proxy under the embedding page's Jupyter base URL when it answers
 * (`{url}`: Lab, Notebook 7, Voilà run as a Jupyter server extension); else the page and its scripts
 * over the widget's own messages (`{html, revoke}` for a `srcdoc`: standalone Voilà, VS Code, Colab, a
 * remote kernel), which needs no HTTP route to the kernel at all; else, if that fails, the address the
 * kernel inferred (its own port).
 */
export async function pageSource({ model, win, fetchFile, fetchImpl = win.fetch.bind(win), load = loadPage }) {
  const base = jupyterBaseUrl(win.document);
  const path = model.get('page_path');
  if (base !== null && path) {
    const url = new URL(base.replace(/\/?$/, '/') + path, win.location.href).href;
    try {
      const response = await fetchImpl(url, withXsrf({ credentials: 'same-origin', cache: 'no-store' }));
      if (response.ok) return { url };
    } catch {
      // no proxy here
    }
  }
  const url = model.get('page_url') || null;
  if (url) {
    try {
      // Its address is the kernel's own (the page resolves what it does not fetch against it).
      return await load(fetchFile, { href: url });
    } catch (error) {
      console.warn('trame-jupyter: could not load the page over the widget:', error?.message ?? error);
    }
  }
  return { url };
}

function clampHeight(height) {
  return Math.min(MAX_HEIGHT, Math.max(MIN_HEIGHT, Math.ceil(height)));
}

function render({ model, el }) {
  const win = el.ownerDocument.defaultView;
  const root = el.ownerDocument.createElement('div');
  root.className = 'trame-jupyter-widget';
  root.style.width = model.get('frame_width') || '100%';
  const frame = el.ownerDocument.createElement('iframe');
  frame.className = 'trame-jupyter-widget-frame';
  frame.title = `trame app ${model.get('server_id')}`;
  frame.setAttribute('allow', 'clipboard-read; clipboard-write; fullscreen');
  frame.style.cssText = 'border: 0; width: 100%; display: block;';
  const fixedHeight = () => model.get('frame_height') || '';
  frame.style.height = fixedHeight() || `${INITIAL_HEIGHT}px`;
  const snapshot = el.ownerDocument.createElement('div');
  snapshot.className = 'trame-jupyter-widget-snapshot';
  snapshot.inert = true; // a picture, not an app
  root.append(frame, snapshot);
  el.append(root);

  // The page this view loaded: its address (`about:srcdoc` for a page loaded over the widget) and origin
  // (a srcdoc page's is this window's; a proxied page's its address's). Messages from, and posts to,
  // anything else in the frame (a site a link in the app led to) are refused; once the frame navigates
  // away from it, its channels close.
  let page = null; // {href, origin, shown}
  const postToPage = (message, transfer = []) => {
    const target = frame.contentWindow;
    if (!target || !page) return;
    // An opaque origin ("null", a sandboxed host) cannot be named as a target: then any, as before.
    target.postMessage(message, page.origin === 'null' ? '*' : page.origin, transfer);
  };
  const relay = createRelay({
    send: (content, buffers) => model.send(content, undefined, buffers),
    post: (message, transfer) => postToPage({ ...message, server_id: model.get('server_id') }, transfer),
  });

  // The notebook's look (JupyterLab's or VS Code's variables), as our JupyterLab views give it: when the
  // page loads, when it first speaks (it may have missed the load), and when the host's theme changes.
  const postTheme = () => postToPage(themeMessage(currentTheme(root)));
  // The frame's document, as origin and path (a page may rewrite its query and fragment), or null when
  // it is not readable (a page of another origin).
  const frameLocation = () => {
    try {
      const location = frame.contentWindow?.location;
      return location ? (location.protocol === 'about:' ? location.href : location.origin + location.pathname) : null;
    } catch {
      return null;
    }
  };
  frame.addEventListener('load', () => {
    if (!page) return;
    if (frameLocation() === page.href) {
      page.shown = true;
    } else if (page.shown) {
      // Our page navigated away: what loaded is not ours; its channels close and it is not heard.
      relay.closeAll('the page navigated away');
      page = null;
      return;
    } else {
      return; // the blank page of an earlier unload, late
    }
    postTheme();
  });
  const stopTheme = onThemeChanged(postTheme);
  let heard = false;

  const onWindowMessage = (event) => {
    // Only this view's page speaks to this relay: its frame's window, from the origin it was loaded from.
    if (!page || !frame.contentWindow || event.source !== frame.contentWindow || event.origin !== page.origin) return;
    /** @type {import('@trame-jupyter/common').Untrusted<import('@trame-jupyter/common').PageMessage>} */
    const data = event.data;
    if (!data || typeof data !== 'object') return;
    if (!heard) {
      heard = true;
      postTheme();
    }
    if (relay.fromPage(data)) return;
    if (data.type === MESSAGE_SIZE && !fixedHeight() && Number.isFinite(data.height)) {
      frame.style.height = `${clampHeight(data.height)}px`;
    } else if (data.type === MESSAGE_STATUS && typeof data.status === 'string') {
      if (root.dataset.status !== KERNEL_LOST) root.dataset.status = data.status;
    }
  };
  win.addEventListener('message', onWindowMessage);
  // The server's files over this widget's messages (`relay.fetch`), for a page loader and for tests.
  root.trameJupyterFetch = relay.fetch;
  const onKernelMessage = (content, buffers) => relay.fromKernel(content, buffers);
  model.on('msg:custom', onKernelMessage);

  // Removing `src` does not unload a document: navigate the frame away instead (its page closes its
  // connections as it goes), and free the `blob:` URLs of a page loaded over the widget.
  let revokePage = () => undefined;
  const unload = () => {
    page = null; // nothing in the frame is heard or posted to until the next page
    frame.style.display = 'none'; // not `hidden`: the frame's own display style would win over it
    if (frame.hasAttribute('srcdoc')) frame.removeAttribute('srcdoc'); // back to `src`, or about:blank
    if (frame.getAttribute('src')) frame.src = 'about:blank';
    revokePage();
    revokePage = () => undefined;
  };
  let loaded = false;
  let removed = false;
  const show = async () => {
    const stopped = !!model.get('stopped');
    root.dataset.stopped = String(stopped);
    if (stopped) {
      relay.closeAll('the server stopped');
      unload();
      loaded = false;
      snapshot.hidden = false;
      snapshot.innerHTML = model.get('snapshot') || ''; // sanitized in the kernel (snapshot.sanitize)
      return;
    }
    if (root.dataset.status === KERNEL_LOST) return;
    snapshot.hidden = true;
    frame.style.display = 'block';
    if (loaded) return;
    loaded = true;
    const source = await pageSource({ model, win, fetchFile: relay.fetch });
    if (removed || model.get('stopped') || root.dataset.status === KERNEL_LOST) {
      source.revoke?.(); // unloaded meanwhile
      return;
    }
    if (source.html !== undefined) {
      revokePage = source.revoke;
      page = { href: 'about:srcdoc', origin: win.location.origin, shown: false };
      frame.srcdoc = source.html;
    } else if (source.url) {
      const url = new URL(source.url, win.location.href);
      page = { href: url.origin + url.pathname, origin: url.origin, shown: false };
      frame.src = source.url;
    } else {
      snapshot.hidden = false;
      snapshot.textContent = 'trame-jupyter: this app could not be loaded (no proxy, and the kernel did not answer).';
    }
  };
  const onStopped = () => void show();
  model.on('change:stopped', onStopped);
  // The kernel restarted or stopped: ipywidgets sets the model's comm dead, and says so with
  // `comm_live_update` (the only change of it once a view exists: a model's comm is live from its
  // creation). The server went with the kernel: unload its page and say so.
  const onCommLive = () => {
    if (root.dataset.status === KERNEL_LOST) return;
    root.dataset.status = KERNEL_LOST;
    relay.closeAll('the kernel restarted or stopped');
    unload();
    snapshot.hidden = false;
    if (!model.get('stopped')) {
      snapshot.textContent = 'The kernel of this app restarted or stopped: run its cell again.';
    }
  };
  model.on('comm_live_update', onCommLive);
  void show();

  return () => {
    removed = true;
    relay.closeAll('the view was removed', false);
    win.removeEventListener('message', onWindowMessage);
    model.off('msg:custom', onKernelMessage);
    model.off('change:stopped', onStopped);
    model.off('comm_live_update', onCommLive);
    stopTheme();
    frame.removeEventListener('load', postTheme);
    unload(); // the page has no relay left to speak through
    root.remove();
  };
}

export default { render };
