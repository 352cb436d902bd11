/**
 * The notebook's look, for the pages of our views: JupyterLab's CSS variables mapped to the contract's
 * `THEME_VARIABLES`, posted to each frame (`MESSAGE_THEME`) when it loads and when the theme changes.
 * The page uses them as the defaults of its base stylesheet; an app's own styles still win.
 */
import { MESSAGE_THEME, ThemeVariable } from './contract';

/** The theme part of a `MESSAGE_THEME` message. */
export interface ITheme {
  scheme: 'light' | 'dark';
  variables: Partial<Record<ThemeVariable, string>>;
}

/** Where each theme variable comes from: the first JupyterLab variable that has a value. */
export const JUPYTER_SOURCES: Readonly<Record<ThemeVariable, readonly string[]>> = {
  '--tj-font-family': ['--jp-content-font-family', '--jp-ui-font-family'],
  '--tj-font-size': ['--jp-content-font-size1', '--jp-ui-font-size1'],
  '--tj-color': ['--jp-content-font-color1', '--jp-ui-font-color1'],
  '--tj-color-muted': ['--jp-content-font-color2', '--jp-ui-font-color2'],
  '--tj-background': ['--jp-layout-color0'],
  '--tj-accent': ['--jp-brand-color1', '--jp-content-link-color'],
  '--tj-border': ['--jp-border-color1'],
  '--tj-input-background': ['--jp-input-background', '--jp-layout-color1']
};

/** Longest value posted (a CSS value of a theme is short; anything longer is not one). */
export const MAX_THEME_VALUE = 200;
/** Characters that could end a declaration or open markup: never part of a posted value. */
const UNSAFE_VALUE = /[;{}<>]/;

/** A CSS value fit to post (trimmed), or null. The page checks the same rule again. */
export function themeValue(value: unknown): string | null {
  if (typeof value !== 'string') {
    return null;
  }
  const trimmed = value.trim();
  if (!trimmed || trimmed.length > MAX_THEME_VALUE || UNSAFE_VALUE.test(trimmed)) {
    return null;
  }
  return trimmed;
}

/**
 * The theme from a reader of CSS custom properties (e.g. `getComputedStyle(node).getPropertyValue`)
 * and `document.body.dataset.jpThemeLight` ("false" means dark; anything else, or nothing, light).
 */
export function readTheme(read: (name: string) => string, themeLight: string | undefined): ITheme {
  const variables: Partial<Record<ThemeVariable, string>> = {};
  for (const [name, sources] of Object.entries(JUPYTER_SOURCES) as [ThemeVariable, readonly string[]][]) {
    for (const source of sources) {
      const value = themeValue(read(source));
      if (value !== null) {
        variables[name] = value;
        break;
      }
    }
  }
  return { scheme: themeLight === 'false' ? 'dark' : 'light', variables };
}

/** The message posted to a frame. */
export function themeMessage(theme: ITheme): { type: string; theme: ITheme } {
  return { type: MESSAGE_THEME, theme };
}

/** The current theme of this document, as seen from `node` (custom properties inherit). */
export function currentTheme(node: Element): ITheme {
  const style = getComputedStyle(node);
  return readTheme(name => style.getPropertyValue(name), document.body.dataset.jpThemeLight);
}

const themeListeners = new Set<() => void>();
let observer: MutationObserver | null = null;

/**
 * Call `listener` whenever JupyterLab switches theme. JupyterLab sets these attributes of `<body>`
 * once the new theme's stylesheet has loaded, so the variables read then are the new ones.
 * Returns a function that stops listening (the shared observer stops with the last listener).
 */
export function onThemeChanged(listener: () => void): () => void {
  themeListeners.add(listener);
  if (!observer && typeof MutationObserver !== 'undefined' && typeof document !== 'undefined') {
    observer = new MutationObserver(() => {
      for (const each of [...themeListeners]) {
        each();
      }
    });
    observer.observe(document.body, { attributes: true, attributeFilter: ['data-jp-theme-light', 'data-jp-theme-name'] });
  }
  return () => {
    themeListeners.delete(listener);
    if (!themeListeners.size && observer) {
      observer.disconnect();
      observer = null;
    }
  };
}
