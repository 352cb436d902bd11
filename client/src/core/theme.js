// The notebook's look, sent by the window embedding this page (MESSAGE_THEME): CSS custom properties
// the base stylesheet uses as its defaults, and the colour scheme. Only the contract's variable names,
// only short plain values, and only from the parent window: nothing else can restyle the page.
import { MESSAGE_THEME, THEME_VARIABLES } from './protocol.js';

/** Longest value accepted (a theme's CSS values are short; anything longer is not one). */
export const MAX_THEME_VALUE = 200;
// Characters that could end a declaration or open markup.
const UNSAFE_VALUE = /[;{}<>]/;
const SCHEMES = new Set(['light', 'dark']);

/** A value fit to apply (trimmed), or null. */
export function themeValue(value) {
  if (typeof value !== 'string') return null;
  const trimmed = value.trim();
  if (!trimmed || trimmed.length > MAX_THEME_VALUE || UNSAFE_VALUE.test(trimmed)) return null;
  return trimmed;
}

/**
 * The theme of a MESSAGE_THEME message (`IThemeMessage`), keeping only what is valid, or null when it is not one.
 * @param {*} data a message from the parent window
 * @returns {import('@trame-jupyter/common').ITheme | null}
 */
export function themeFromMessage(data) {
  if (!data || typeof data !== 'object' || data.type !== MESSAGE_THEME) return null;
  const theme = data.theme;
  if (!theme || typeof theme !== 'object' || !SCHEMES.has(theme.scheme)) return null;
  const given = theme.variables && typeof theme.variables === 'object' ? theme.variables : {};
  const variables = {};
  for (const name of THEME_VARIABLES) {
    if (!Object.prototype.hasOwnProperty.call(given, name)) continue;
    const value = themeValue(given[name]);
    if (value !== null) variables[name] = value;
  }
  return { scheme: theme.scheme, variables };
}

/** Apply a theme to the document: every contract variable is set or reset (a new theme replaces the old). */
export function applyTheme(doc, theme) {
  const root = doc.documentElement;
  for (const name of THEME_VARIABLES) {
    const value = theme.variables[name];
    if (value === undefined) root.style.removeProperty(name);
    else root.style.setProperty(name, value);
  }
  // An attribute, not an inline `color-scheme`: the stylesheet's low-specificity rule lets an app override it.
  root.dataset.tjScheme = theme.scheme;
}

/**
 * Apply the themes the parent window posts. Returns a function that stops listening.
 * @param {Window} win this page's window (embedded: `win.parent !== win`)
 * @param {Function} [onTheme] called with each theme applied
 */
export function listenForTheme(win, onTheme) {
  const listener = (event) => {
    if (event.source !== win.parent || win.parent === win) return;
    const theme = themeFromMessage(event.data);
    if (!theme) return;
    applyTheme(win.document, theme);
    if (onTheme) onTheme(theme);
  };
  win.addEventListener('message', listener);
  return () => win.removeEventListener('message', listener);
}
