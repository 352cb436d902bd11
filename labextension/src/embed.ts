/**
 * The query parameter this renderer adds to the frames it makes (not to the browser-tab link): the page
 * then hides its own status line, since the view shows one notice for the whole output. The page's twin
 * is `client/src/core/protocol.js` (`EMBED_PARAM`, `EMBED_JUPYTER`); `client/__tests__/theme.test.js`
 * keeps the two equal. Not part of the contract: only this renderer and the page it embeds use it.
 */
export const EMBED_PARAM = 'embed';
export const EMBED_JUPYTER = 'jupyter';
