// The version has one source, trame_jupyter/_version.py; this package.json must repeat it exactly.
// Run before every build so a wheel can never ship an extension whose version disagrees.
import { readFileSync } from 'node:fs';

const here = new URL('..', import.meta.url);
const python = readFileSync(new URL('../trame_jupyter/_version.py', here), 'utf8');
const match = python.match(/^__version__\s*=\s*["']([^"']+)["']/m);
const { version } = JSON.parse(readFileSync(new URL('package.json', here), 'utf8'));
if (!match) {
  console.error('check-version: no __version__ in trame_jupyter/_version.py');
  process.exit(1);
}
if (match[1] !== version) {
  console.error(
    `check-version: labextension/package.json has ${version} but trame_jupyter/_version.py has ${match[1]}; ` +
      'set "version" in labextension/package.json to the Python version.'
  );
  process.exit(1);
}
