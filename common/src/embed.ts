/**
 * The query parameter the JupyterLab renderer adds to the frames it makes (not to the browser-tab link):
 * the page then hides its own status line, since the view shows one notice for the whole output. Shared
 * here by the renderer (which adds it) and the page (`client/src/core/page.js`, which reads it). Not part
 * of the contract with Python: only this renderer and the page it embeds use it.
 */
export const EMBED_PARAM = 'embed';
export const EMBED_JUPYTER = 'jupyter';
