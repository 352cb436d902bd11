// Run the Python `jupyter-builder` CLI (package jupyter-builder, a JupyterLab dependency), which
// drives @jupyter/builder from node_modules. It is found on PATH (an activated venv, or the isolated
// environment of `pip install`, where pyproject's build requirements put it), else in ../.venv.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const name = process.platform === 'win32' ? 'jupyter-builder.exe' : 'jupyter-builder';
const repoVenv = fileURLToPath(new URL('../../.venv/' + (process.platform === 'win32' ? 'Scripts' : 'bin'), import.meta.url));
const candidates = [...(process.env.PATH || '').split(delimiter), repoVenv].map(dir => join(dir, name));
const found = candidates.find(path => existsSync(path));
if (!found) {
  console.error(
    'jupyter-builder not found: activate the virtualenv that has JupyterLab (or `pip install jupyter-builder`), ' +
      'or create ../.venv with scripts/install.sh.'
  );
  process.exit(127);
}
const result = spawnSync(found, process.argv.slice(2), { stdio: 'inherit' });
process.exit(result.status ?? 1);
