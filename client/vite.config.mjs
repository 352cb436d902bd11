import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export const alias = {
  // Layout templates arrive as strings at run time: the bundle needs Vue's build with the template
  // compiler (without this alias the build succeeds and pages are silently blank).
  vue: 'vue/dist/vue.esm-bundler.js',
  // The front-end contract has one TypeScript source, shared with the JupyterLab extension.
  '@trame-jupyter/contract': fileURLToPath(new URL('../labextension/src/contract.ts', import.meta.url)),
  // Loading a page over a fetch function (a kernel comm, a widget's messages): shared by the page (its
  // resources), the JupyterLab extension and the anywidget front end.
  '@trame-jupyter/page-loader': fileURLToPath(new URL('../labextension/src/pageLoader.ts', import.meta.url)),
  // The host's theme for the page: shared by the JupyterLab extension and the anywidget front end.
  '@trame-jupyter/theme': fileURLToPath(new URL('../labextension/src/theme.ts', import.meta.url)),
};

export default defineConfig({
  base: './', // works under any path prefix (the Jupyter proxy serves it under trame-jupyter/<id>/)
  resolve: { alias },
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
  },
});
