/**
 * The version of this extension. The only source is `trame_jupyter/_version.py`:
 * `labextension/package.json` must carry the same version (`npm run check:version` fails the build
 * otherwise, and `tests/test_imports.py` checks it), and it is read from there, not repeated.
 */

// A plain `require` keeps package.json out of TypeScript's rootDir; the bundler resolves it.
// eslint-disable-next-line @typescript-eslint/no-var-requires
declare const require: (module: string) => { version: string };
const data = require('../package.json');

/** This extension's version, e.g. `0.1.0`. */
export const EXTENSION_VERSION: string = data.version;
