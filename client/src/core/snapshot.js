// The page's own picture of its app (MESSAGE_SNAPSHOT), posted to the embedding window when the
// connection is lost: the renderer shows it, sanitized, in place of a frame whose server is gone.
import { MAX_PAGE_SNAPSHOT } from './protocol.js';

// Values a user typed live in DOM properties, which `innerHTML` does not show; secrets are never copied.
const NOT_COPIED = new Set(['password', 'file', 'hidden']);

/** Copy the live value of one form control to the attributes of its clone. */
function copyValue(original, copy) {
  const tag = original.tagName;
  if (tag === 'INPUT') {
    const type = (original.getAttribute('type') || 'text').toLowerCase();
    if (NOT_COPIED.has(type)) {
      copy.removeAttribute('value');
    } else if (type === 'checkbox' || type === 'radio') {
      copy.toggleAttribute('checked', original.checked);
    } else {
      copy.setAttribute('value', original.value);
    }
  } else if (tag === 'TEXTAREA') {
    copy.textContent = original.value;
  } else if (tag === 'SELECT') {
    const options = copy.querySelectorAll('option');
    Array.from(original.options).forEach((option, index) => {
      options[index]?.toggleAttribute('selected', option.selected);
    });
  }
}

/**
 * The HTML of `app`'s content as the user sees it now (form values included), or null when it is
 * empty, larger than `maxLength` characters, or draws on a canvas.
 */
export function pageSnapshot(app, maxLength = MAX_PAGE_SNAPSHOT) {
  // What a canvas shows (a 3D view) is not in the DOM, and a WebGL canvas cannot be read back once
  // drawn: such a page leaves its picture to the kernel's snapshot, which renders those views itself.
  if (app.querySelector('canvas')) return null;
  const clone = app.cloneNode(true);
  const originals = app.querySelectorAll('input, textarea, select');
  const copies = clone.querySelectorAll('input, textarea, select');
  originals.forEach((original, index) => {
    if (copies[index]) copyValue(original, copies[index]);
  });
  const html = clone.innerHTML.trim();
  return html && html.length <= maxLength ? html : null;
}
