// A stylesheet loaded from a `blob:` URL (a page whose files come over the kernel comm) cannot reach the
// files it names relatively (`url(fonts/x.woff2)`, `@import "y.css"`): they would resolve against the
// blob. The references are rewritten to blob URLs of the same files, fetched the same way. No lazy fetch
// is possible behind a blob, so each `@font-face` keeps only its WOFF2 source when it lists one (every
// browser that runs the page reads WOFF2): the other formats of the same font are not fetched for nothing.

const URL_REFERENCE = /url\(\s*(['"]?)([^'")]*?)\1\s*\)/g;
const IMPORT_STRING = /@import\s+(['"])([^'"]+)\1/g;
const FONT_FACE = /@font-face\s*\{[^}]*\}/g;
const SRC_DECLARATION = /(?<=[;{\s])src\s*:[^;}]*;?/g;
const WOFF2_SOURCE = /url\(\s*(['"]?)[^'")]*?\1\s*\)\s*format\(\s*(['"]?)woff2\2\s*\)/;

/** `@font-face` blocks that list a WOFF2 source keep it as their only `src`. */
export function preferWoff2(css) {
  return css.replace(FONT_FACE, (block) => {
    const woff2 = block.match(WOFF2_SOURCE);
    if (!woff2) return block;
    let kept = false;
    return block.replace(SRC_DECLARATION, () => {
      if (kept) return '';
      kept = true;
      return `src:${woff2[0]};`;
    });
  });
}

/** References that the browser would fetch: not data:, blob:, a fragment of the document, or empty. */
function isFetched(reference) {
  return reference !== '' && !reference.startsWith('#') && !/^(data|blob):/i.test(reference);
}

/**
 * `css` with every fetched reference replaced by what `resolve` gives for it.
 * @param {string} css the stylesheet's text
 * @param {string} base the stylesheet's own (server) URL, which its relative references resolve against
 * @param {(href: string, isStylesheet: boolean) => Promise<string|null>} resolve the URL to use instead of
 *   the absolute `href`, or null to leave the reference as it is
 * @returns {Promise<string>}
 */
export async function rewriteStylesheetUrls(css, base, resolve) {
  const text = preferWoff2(css);
  const found = new Map(); // reference as written → its replacement (a promise)
  const note = (reference, isStylesheet) => {
    if (!isFetched(reference) || found.has(reference)) return;
    let href;
    try {
      href = new URL(reference, base).href;
    } catch {
      return; // not a URL: left as written, the browser ignores it as it would have
    }
    found.set(reference, resolve(href, isStylesheet).catch(() => null));
  };
  for (const [, , reference] of text.matchAll(IMPORT_STRING)) note(reference.trim(), true);
  for (const match of text.matchAll(URL_REFERENCE)) {
    const isImport = /@import\s*$/.test(text.slice(Math.max(0, match.index - 16), match.index));
    note(match[2].trim(), isImport);
  }
  const replacements = new Map();
  for (const [reference, promise] of found) replacements.set(reference, await promise);
  const replaced = (reference) => replacements.get(reference.trim()) ?? null;
  return text
    .replace(IMPORT_STRING, (whole, quote, reference) => {
      const url = replaced(reference);
      return url ? `@import ${quote}${url}${quote}` : whole;
    })
    .replace(URL_REFERENCE, (whole, quote, reference) => {
      const url = replaced(reference);
      return url ? `url(${quote || '"'}${url}${quote || '"'})` : whole;
    });
}
