import { fileURLToPath } from 'node:url';
import { defineConfig, defaultClientConditions } from 'vite';

export const alias = {
  // Layout templates arrive as strings at run time: the bundle needs Vue's build with the template
  // compiler (without this alias the build succeeds and pages are silently blank).
  vue: 'vue/dist/vue.esm-bundler.js',
};

// `@trame-jupyter/common` (the contract, the page loader, the theme; shared with the JupyterLab
// extension) is taken from its TypeScript sources: its package.json exports them under the "source"
// condition, before the built `lib/` that the extension's webpack uses.
export const conditions = ['source', ...defaultClientConditions];

// The page loads as classic scripts and stylesheets, not ES modules: a module script or a `crossorigin`
// stylesheet is a CORS-mode request, which JupyterHub's single-user servers refuse without an XSRF token
// (that a tag cannot send), bouncing it to the hub's login. One self-contained bundle (IIFE) needs none.
const classicPage = {
  name: 'trame-jupyter-classic-page',
  transformIndexHtml: {
    order: 'post',
    handler: (html) =>
      html
        .replace(/<script type="module" crossorigin src=/g, '<script defer src=')
        .replace(/<link rel="stylesheet" crossorigin href=/g, '<link rel="stylesheet" href='),
  },
};

export default defineConfig({
  base: './',
  plugins: [classicPage], // works under any path prefix (the Jupyter proxy serves it under trame-jupyter/<id>/)
  resolve: { alias, conditions },
  define: {
    __VUE_OPTIONS_API__: 'true', // plugins loaded with trame__vue_use may use the options API
    __VUE_PROD_DEVTOOLS__: 'false',
    __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: 'false',
  },
  build: {
    outDir: fileURLToPath(new URL('../trame_jupyter/static', import.meta.url)),
    emptyOutDir: true,
    // Modules serve their files under their own URL prefixes next to index.html: keep ours out of
    // the common names ("assets") so a module cannot shadow the client bundle.
    assetsDir: 'trame-jupyter-client',
    target: 'es2020',
    sourcemap: false,
    modulePreload: false,
    cssCodeSplit: false, // a stylesheet of its own (an IIFE would otherwise inject its CSS from the script)
    rollupOptions: { output: { format: 'iife', inlineDynamicImports: true } },
  },
});
