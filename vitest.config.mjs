// JS unit tests of the workspace (`npm test`, run by scripts/test.sh): the shared code, the browser client
// and the JupyterLab extension. The client's resolution applies to all: Vue's full build, and
// `@trame-jupyter/common` from its TypeScript sources (the "source" export condition, here also for the
// server-side resolution vitest runs tests with), so the tests need no build first.
import { defineConfig } from 'vitest/config';
import { alias, conditions } from './client/vite.config.mjs';

export default defineConfig({
  resolve: { alias, conditions },
  ssr: { resolve: { conditions } },
  test: {
    include: ['{common,client,labextension}/__tests__/**/*.test.{js,ts}'],
    environment: 'node',
  },
});
