// A Vuetify app in the notebook's colour scheme: a dark JupyterLab shows it with Vuetify's `dark` theme,
// unless the app chose a theme itself (`theme.defaultTheme` in its Vuetify config) or switches themes at
// run time (then it is left alone from that moment). The scheme is the page's `data-tj-scheme`, which the
// embedding window's theme messages set (core/theme.js).

// The Vuetify config keys of trame-vuetify's modules (vuetify 3 and 4).
const CONFIG_KEYS = ['trame__vuetify3_config', 'trame__vuetify4_config'];

/** Whether the app's Vuetify config names its own theme. */
export function choseTheme(store) {
  return CONFIG_KEYS.some((key) => {
    const config = store.get(key);
    return !!(config && typeof config === 'object' && config.theme && config.theme.defaultTheme);
  });
}

/**
 * Keep the theme of a Vuetify instance among `plugins` (what `trame__vue_use` installed; Vuetify's
 * `createVuetify()` object has its `theme`) on the page's scheme. Returns a function that stops following.
 */
export function followSchemeWithVuetify(plugins, store, doc = document) {
  const theme = plugins.map((plugin) => plugin?.theme).find((candidate) => candidate?.global?.name);
  const name = theme?.global?.name;
  if (!name || typeof name !== 'object' || !('value' in name) || choseTheme(store)) return () => {};
  let ours = name.value; // the theme we last set (at first, Vuetify's default)
  const observer = new MutationObserver(() => apply());
  const stop = () => observer.disconnect();
  function apply() {
    if (name.value !== ours) {
      stop(); // the app switched themes itself: its choice from now on
      return;
    }
    const wanted = doc.documentElement.dataset.tjScheme === 'dark' ? 'dark' : 'light';
    const themes = theme.themes?.value ?? theme.themes;
    if (themes && !(wanted in themes)) return;
    name.value = wanted;
    ours = wanted;
  }
  observer.observe(doc.documentElement, { attributes: true, attributeFilter: ['data-tj-scheme'] });
  apply();
  return stop;
}
