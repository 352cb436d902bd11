// JS unit tests of the browser client and the JupyterLab extension (`npm test`, run by scripts/test.sh).
// The client's aliases (Vue's full build, the shared contract) apply to both.
import { defineConfig } from 'vitest/config';
import { alias } from './client/vite.config.mjs';

export default defineConfig({
  resolve: { alias },
  test: {
    include: ['client/__tests__/**/*.test.js', 'labextension/__tests__/**/*.test.ts'],
    environment: 'node',
  },
});
