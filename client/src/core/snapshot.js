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
 * empty or larger than `maxLength` characters.
 */
export function pageSnapshot(app, maxLength = MAX_PAGE_SNAPSHOT) {
  const clone = app.cloneNode(true);
  const originals = app.querySelectorAll('input, textarea, select');
  const copies = clone.querySelectorAll('input, textarea, select');
  originals.forEach((original, index) => {
    if (copies[index]) copyValue(original, copies[index]);
  });
  const html = clone.innerHTML.trim();
  return html && html.length <= maxLength ? html : null;
}
