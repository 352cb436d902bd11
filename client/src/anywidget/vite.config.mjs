// The anywidget front end (widget.js) as one self-contained ES module, trame_jupyter/static/anywidget/
// widget.js: anywidget loads `_esm` as a single module, so nothing may be split into chunks. Built after
// the page (whose build empties trame_jupyter/static first).
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { alias, conditions } from '../../vite.config.mjs';

export default defineConfig({
  resolve: { alias, conditions },
  build: {
    outDir: fileURLToPath(new URL('../../../trame_jupyter/static/anywidget', import.meta.url)),
    emptyOutDir: true,
    target: 'es2020',
    sourcemap: false,
    lib: {
      entry: fileURLToPath(new URL('./widget.js', import.meta.url)),
      formats: ['es'],
      fileName: () => 'widget.js',
    },
  },
});
