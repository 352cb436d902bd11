// Styles and scripts that modules ask for (trame__styles, trame__scripts, trame__module_scripts),
// plus the document title and icon. Each URL is loaded once per page; a failure is reported, not fatal.
import { withXsrfQuery } from '@trame-jupyter/common';
import { KEY } from './protocol.js';
import { rewriteStylesheetUrls } from './stylesheetUrls.js';

// An entry is "url" or [url, {options}] (trame's serial groups); relative URLs resolve against the page.
function entryUrl(entry) {
  const url = Array.isArray(entry) ? entry[0] : entry;
  return typeof url === 'string' && url ? url : null;
}

function urls(list) {
  return (Array.isArray(list) ? list : []).map(entryUrl).filter(Boolean);
}

export class ResourceLoader {
  /**
   * @param {Document} doc
   * @param {Function} [onError] `(url) => void` for a resource that failed to load (shown to the user)
   * @param {object} [options]
   * @param {Function|null} [options.fetchFile] `(path) => Promise<{status, mime, body}>`: fetch the
   *   server's own files with it (over the kernel comm) and load them from `blob:` URLs, not over HTTP
   */
  constructor(doc = document, onError = () => {}, { fetchFile = null } = {}) {
    this.document = doc;
    this._onError = onError;
    this._fetchFile = fetchFile;
    this._loaded = new Map(); // absolute URL → promise
    this._blobs = new Map(); // server path → promise of its blob: URL (each file fetched over the comm once)
  }

  _absolute(url) {
    return new URL(url, this.document.baseURI).href;
  }

  /** The path of `href` relative to the server root, if it is one of the server's files, else null. */
  _serverPath(href) {
    const root = new URL('.', this.document.baseURI).href;
    // The query (a cache buster such as `?v=7.4`) and fragment name no other file of a directory served.
    return href.startsWith(root) ? href.slice(root.length).split(/[?#]/)[0] : null;
  }

  /** Whether `href` (absolute) is one of the server's files that this loader fetches through `fetchFile`. */
  fetchesOverComm(href) {
    return this._fetchFile !== null && this._serverPath(href) !== null;
  }

  /** A `blob:` URL of one of the server's files, fetched through `fetchFile` once (see fetchesOverComm). */
  blobOf(href) {
    return this._source(href);
  }

  /**
   * Where to load `href` from: itself, or a `blob:` URL of it fetched through `fetchFile`.
   * @param {string} href
   * @param {boolean} [isStylesheet] rewrite the references inside it (see ./stylesheetUrls.js)
   * @param {string[]} [importedBy] the stylesheets importing it, outermost first: an import cycle ends there
   */
  _source(href, isStylesheet = false, importedBy = []) {
    const path = this._fetchFile ? this._serverPath(href) : null;
    if (path === null) return Promise.resolve(href);
    if (importedBy.includes(path)) return Promise.resolve(null);
    if (!this._blobs.has(path)) this._blobs.set(path, this._fetchBlob(path, href, isStylesheet, importedBy));
    return this._blobs.get(path);
  }

  async _fetchBlob(path, href, isStylesheet, importedBy) {
    const reply = await this._fetchFile(path);
    if (reply.status !== 200 || !reply.body) throw new Error(`${reply.status} ${reply.reason || ''}`.trim());
    const type = reply.mime || 'application/octet-stream';
    let body = reply.body;
    if (isStylesheet || type.startsWith('text/css')) {
      // Its fonts, images and imports are the server's files too: they come the same way.
      const trail = [...importedBy, path];
      body = await rewriteStylesheetUrls(new TextDecoder().decode(body), href, (reference, imported) =>
        this._serverPath(reference) === null ? Promise.resolve(null) : this._source(reference, imported, trail),
      );
    }
    return URL.createObjectURL(new Blob([body], { type }));
  }

  _load(url, create, isStylesheet = false) {
    const href = this._absolute(url);
    if (!this._loaded.has(href)) {
      const failed = (error) => {
        console.error(`trame-jupyter: could not load ${url} (${href})`, error ?? '');
        this._onError(url);
        return false;
      };
      this._loaded.set(
        href,
        this._source(href, isStylesheet).then(
          (source) =>
            new Promise((resolve) => {
              const element = create(source);
              element.addEventListener('load', () => resolve(true));
              element.addEventListener('error', () => resolve(failed()));
              this.document.head.appendChild(element);
            }),
          failed,
        ),
      );
    }
    return this._loaded.get(href);
  }

  style(url) {
    return this._load(url, (href) => {
      const link = this.document.createElement('link');
      link.rel = 'stylesheet';
      link.href = href;
      return link;
    }, true);
  }

  script(url, module = false) {
    return this._load(url, (href) => {
      const script = this.document.createElement('script');
      script.async = false;
      script.src = href;
      if (module) {
        script.type = 'module';
        // A module script is a CORS-mode request: under JupyterHub it needs the XSRF token (common/src/xsrf.ts).
        if (!href.startsWith('blob:')) script.src = withXsrfQuery(href, this.document.location?.href ?? href);
      }
      return script;
    });
  }

  /** Load what the state lists: styles (in parallel), then scripts in order, then module scripts. */
  async sync(store) {
    await Promise.all(urls(store.get(KEY.STYLES)).map((url) => this.style(url)));
    for (const url of urls(store.get(KEY.SCRIPTS))) await this.script(url);
    await Promise.all(urls(store.get(KEY.MODULE_SCRIPTS)).map((url) => this.script(url, true)));
  }
}

/** Keep document.title and the icon in line with trame__title / trame__favicon. */
export function applyDocumentKeys(store, keys, doc = document) {
  if (keys.includes(KEY.TITLE)) {
    const title = store.get(KEY.TITLE);
    if (typeof title === 'string') doc.title = title;
  }
  if (keys.includes(KEY.FAVICON)) {
    const icon = store.get(KEY.FAVICON);
    let link = doc.querySelector('link[rel~="icon"]');
    if (typeof icon === 'string' && icon) {
      if (!link) {
        link = doc.createElement('link');
        link.rel = 'icon';
        doc.head.appendChild(link);
      }
      link.href = icon;
    } else if (link) {
      link.href = 'data:,'; // no icon: an empty one, or the browser asks for /favicon.ico (a 404)
    }
  }
}
