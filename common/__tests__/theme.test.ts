// The notebook's theme as posted to a page: JupyterLab variables mapped to the contract's names, and
// nothing that could escape a CSS declaration.
import { expect, test } from 'vitest';

import { MESSAGE_THEME, THEME_VARIABLES } from '../src/contract';
import { hostScheme, JUPYTER_SOURCES, MAX_THEME_VALUE, readTheme, themeMarks, themeMessage, themeValue } from '../src/theme';

/** A reader of custom properties over a plain table (getPropertyValue answers '' for unset names). */
function reader(values: Record<string, string>): (name: string) => string {
  return name => values[name] ?? '';
}

const LAB = {
  '--jp-content-font-family': " system-ui, -apple-system, 'Segoe UI', sans-serif",
  '--jp-ui-font-family': 'Ui Font, sans-serif',
  '--jp-content-font-size1': '14px',
  '--jp-content-font-color1': 'rgba(0, 0, 0, 0.87)',
  '--jp-content-font-color2': 'rgba(0, 0, 0, 0.54)',
  '--jp-layout-color0': 'white',
  '--jp-layout-color1': '#fafafa',
  '--jp-brand-color1': 'var(--md-blue-700, #1976d2)',
  '--jp-border-color1': '#bdbdbd',
  '--jp-input-background': '#f5f5f5'
};

test('every contract variable has a JupyterLab source, and only those are read', () => {
  expect(Object.keys(JUPYTER_SOURCES).sort()).toEqual([...THEME_VARIABLES].sort());
  const theme = readTheme(reader(LAB), 'light');
  expect(theme).toEqual({
    scheme: 'light',
    variables: {
      '--tj-font-family': "system-ui, -apple-system, 'Segoe UI', sans-serif",
      '--tj-font-size': '14px',
      '--tj-color': 'rgba(0, 0, 0, 0.87)',
      '--tj-color-muted': 'rgba(0, 0, 0, 0.54)',
      '--tj-background': 'white',
      '--tj-accent': 'var(--md-blue-700, #1976d2)',
      '--tj-border': '#bdbdbd',
      '--tj-input-background': '#f5f5f5'
    }
  });
});

test('a missing variable falls back to the next source, else is left out', () => {
  const { '--jp-content-font-family': _, '--jp-input-background': __, '--jp-border-color1': ___, ...rest } = LAB;
  const theme = readTheme(reader(rest), 'light');
  expect(theme.variables['--tj-font-family']).toBe('Ui Font, sans-serif');
  expect(theme.variables['--tj-input-background']).toBe('#fafafa');
  expect('--tj-border' in theme.variables).toBe(false);
});

/** A `<body>` with these theme attributes and classes. */
function body(dataset: Record<string, string>, classes: string[] = []): Pick<HTMLElement, 'dataset' | 'classList'> {
  const classList = { contains: (name: string) => classes.includes(name), [Symbol.iterator]: () => classes.values() };
  return { dataset, classList } as never;
}

test('dark only when JupyterLab (or else VS Code) says its theme is dark', () => {
  expect(hostScheme(body({ jpThemeLight: 'false' }))).toBe('dark');
  expect(hostScheme(body({ jpThemeLight: 'true' }, ['vscode-dark']))).toBe('light'); // JupyterLab's word first
  expect(hostScheme(body({}))).toBe('light');
  expect(hostScheme(body({}, ['vscode-dark']))).toBe('dark');
  expect(hostScheme(body({}, ['vscode-high-contrast']))).toBe('dark');
  expect(hostScheme(body({}, ['vscode-high-contrast', 'vscode-high-contrast-light']))).toBe('light');
  expect(hostScheme(body({}, ['vscode-light']))).toBe('light');
});

test("VS Code's variables stand in where JupyterLab's are missing", () => {
  const theme = readTheme(
    reader({ '--vscode-editor-background': '#1e1e1e', '--vscode-editor-foreground': '#d4d4d4', '--vscode-font-family': 'Segoe WPC' }),
    'dark'
  );
  expect(theme.variables).toEqual({
    '--tj-background': '#1e1e1e',
    '--tj-color': '#d4d4d4',
    '--tj-font-family': 'Segoe WPC'
  });
});

test('only theme marks change the theme, not any class of <body>', () => {
  const lab = themeMarks(body({ jpThemeName: 'JupyterLab Light', jpThemeLight: 'true' }, ['jp-mod-x']));
  expect(themeMarks(body({ jpThemeName: 'JupyterLab Light', jpThemeLight: 'true' }, ['lm-mod-override-cursor']))).toBe(lab);
  expect(themeMarks(body({ jpThemeName: 'JupyterLab Dark', jpThemeLight: 'false' }))).not.toBe(lab);
  expect(themeMarks(body({}, ['vscode-light', 'x']))).not.toBe(themeMarks(body({}, ['vscode-dark', 'x'])));
});

test('values that could end a declaration or open markup, or are too long, are refused', () => {
  for (const bad of ['red; background: url(x)', 'x}body{color:red', '<style>', 'a>b', ' ', '', 'x'.repeat(MAX_THEME_VALUE + 1)]) {
    expect(themeValue(bad)).toBeNull();
  }
  for (const bad of [null, undefined, 12, {}]) {
    expect(themeValue(bad)).toBeNull();
  }
  expect(themeValue('x'.repeat(MAX_THEME_VALUE))).toBe('x'.repeat(MAX_THEME_VALUE));
  const theme = readTheme(reader({ ...LAB, '--jp-content-font-color1': 'red;}', '--jp-ui-font-color1': 'blue' }), 'light');
  expect(theme.variables['--tj-color']).toBe('blue'); // the unsafe value is skipped, the next source used
});

test('the message has the contract type', () => {
  const theme = readTheme(reader(LAB), 'dark');
  expect(themeMessage(theme)).toEqual({ type: MESSAGE_THEME, theme });
});
