/**
 * The notebook's look, for the pages of our views: the host's CSS variables (JupyterLab's, or VS Code's
 * where `server.widget` renders there) mapped to the contract's `THEME_VARIABLES`, posted to each frame
 * (`MESSAGE_THEME`) when it loads and when the theme changes. The page uses them as the defaults of its
 * base stylesheet; an app's own styles still win. Shared with the anywidget front end
 * (`@trame-jupyter/common`), so both kinds of view look the same in one notebook.
 */
import { type ITheme, type IThemeMessage, MESSAGE_THEME, type ThemeVariable } from './contract.js';

/**
 * Where each theme variable comes from: the first variable that has a value. JupyterLab's (also those of
 * Notebook 7 and Voilà) first, then VS Code's (its notebook renders ipywidgets in a webview that has them).
 */
export const JUPYTER_SOURCES: Readonly<Record<ThemeVariable, readonly string[]>> = {
  '--tj-font-family': ['--jp-content-font-family', '--jp-ui-font-family', '--vscode-font-family'],
  '--tj-font-size': ['--jp-content-font-size1', '--jp-ui-font-size1', '--vscode-font-size'],
  '--tj-color': ['--jp-content-font-color1', '--jp-ui-font-color1', '--vscode-editor-foreground'],
  '--tj-color-muted': ['--jp-content-font-color2', '--jp-ui-font-color2', '--vscode-descriptionForeground'],
  '--tj-background': ['--jp-layout-color0', '--vscode-editor-background'],
  '--tj-accent': ['--jp-brand-color1', '--jp-content-link-color', '--vscode-textLink-foreground'],
  '--tj-border': ['--jp-border-color1', '--vscode-panel-border'],
  '--tj-input-background': ['--jp-input-background', '--jp-layout-color1', '--vscode-input-background']
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

/** The colour scheme of the host page, from what JupyterLab or VS Code mark its `<body>` with. */
export function hostScheme(body: Pick<HTMLElement, 'dataset' | 'classList'>): 'light' | 'dark' {
  const themeLight = body.dataset.jpThemeLight; // JupyterLab, Notebook 7, Voilà
  if (themeLight !== undefined) {
    return themeLight === 'false' ? 'dark' : 'light';
  }
  const dark = body.classList.contains('vscode-dark') || body.classList.contains('vscode-high-contrast');
  return dark && !body.classList.contains('vscode-high-contrast-light') ? 'dark' : 'light';
}

/** The theme from a reader of CSS custom properties (e.g. `getComputedStyle(node).getPropertyValue`). */
export function readTheme(read: (name: string) => string, scheme: 'light' | 'dark'): ITheme {
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
  return { scheme, variables };
}

/** The message posted to a frame. */
export function themeMessage(theme: ITheme): IThemeMessage {
  return { type: MESSAGE_THEME, theme };
}

/** The current theme of this document, as seen from `node` (custom properties inherit). */
export function currentTheme(node: Element): ITheme {
  const style = getComputedStyle(node);
  return readTheme(name => style.getPropertyValue(name), hostScheme(node.ownerDocument.body));
}

const themeListeners = new Set<() => void>();
let observer: MutationObserver | null = null;

/** What says which theme `<body>` shows: JupyterLab's theme attributes and VS Code's theme classes. */
export function themeMarks(body: Pick<HTMLElement, 'dataset' | 'classList'>): string {
  const vscode = [...body.classList].filter(name => name.startsWith('vscode-')).sort();
  return JSON.stringify([body.dataset.jpThemeName ?? null, body.dataset.jpThemeLight ?? null, vscode]);
}

/**
 * Call `listener` whenever the host switches theme. JupyterLab sets these attributes of `<body>` once the
 * new theme's stylesheet has loaded, so the variables read then are the new ones; VS Code sets its class.
 * Returns a function that stops listening (the shared observer stops with the last listener).
 */
export function onThemeChanged(listener: () => void): () => void {
  themeListeners.add(listener);
  if (!observer && typeof MutationObserver !== 'undefined' && typeof document !== 'undefined') {
    let shown = themeMarks(document.body);
    observer = new MutationObserver(() => {
      // `class` changes for many other reasons (a drag sets a cursor class): only a theme's marks count.
      const marks = themeMarks(document.body);
      if (marks === shown) {
        return;
      }
      shown = marks;
      for (const each of [...themeListeners]) {
        each();
      }
    });
    observer.observe(document.body, {
      attributes: true,
      attributeFilter: ['data-jp-theme-light', 'data-jp-theme-name', 'class']
    });
  }
  return () => {
    themeListeners.delete(listener);
    if (!themeListeners.size && observer) {
      observer.disconnect();
      observer = null;
    }
  };
}
