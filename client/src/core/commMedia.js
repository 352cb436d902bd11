// Images and media that a layout names by a URL of the server (`html.Img(src="pics/logo.png")`, a served
// directory of a module) on a page whose files come over the kernel comm: no HTTP route reaches the
// server, so such a URL resolves to nothing. Each one is fetched over the comm and the element is pointed
// at a `blob:` URL of it. Vue may set the attribute again on a re-render: the new value is handled the same
// way. The browser's own attempt at the original URL fails quietly before the blob replaces it.

/** Elements whose `src` (or `poster`) loads media, and those attributes. */
const MEDIA = { IMG: ['src'], VIDEO: ['src', 'poster'], AUDIO: ['src'], SOURCE: ['src'], INPUT: ['src'] };
const ATTRIBUTES = ['src', 'poster'];

/**
 * Keep the media of `root` loading over the comm.
 * @param {object} options
 * @param {Element} options.root where the app renders
 * @param {(href: string) => boolean} options.isServerFile whether an absolute URL is one of the server's files
 * @param {(href: string) => Promise<string>} options.source a `blob:` URL of that file (fetched once)
 * @returns {() => void} stop
 */
export function loadMediaOverComm({ root, isServerFile, source }) {
  const doc = root.ownerDocument;
  const fix = (element, name) => {
    const value = element.getAttribute(name);
    if (!value || /^(blob|data):/i.test(value)) return;
    let href;
    try {
      href = new URL(value, doc.baseURI).href;
    } catch {
      return;
    }
    if (!isServerFile(href)) return;
    source(href).then(
      (blob) => {
        // Only if the element still asks for what was fetched (a re-render may have changed it since).
        if (element.getAttribute(name) === value) element.setAttribute(name, blob);
      },
      (error) => console.warn(`trame-jupyter: could not load ${value} over the kernel comm:`, error?.message ?? error),
    );
  };
  const visit = (element) => {
    for (const name of MEDIA[element.tagName] ?? []) fix(element, name);
  };
  const visitTree = (node) => {
    if (node.nodeType !== 1) return;
    visit(node);
    for (const element of node.querySelectorAll('img, video, audio, source, input')) visit(element);
  };
  const observer = new MutationObserver((records) => {
    for (const record of records) {
      if (record.type === 'attributes') visit(record.target);
      else record.addedNodes.forEach(visitTree);
    }
  });
  observer.observe(root, { subtree: true, childList: true, attributes: true, attributeFilter: ATTRIBUTES });
  visitTree(root);
  return () => observer.disconnect();
}
