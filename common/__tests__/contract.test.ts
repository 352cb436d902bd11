// The two twins of the contract (contract.ts and trame_jupyter/contract.py) must be equal.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';

import { CONTRACT, IBundle, BUNDLE_FIELDS } from '../src/contract';

const repository = fileURLToPath(new URL('../..', import.meta.url));
const PRINT_CONTRACT = 'import json; from trame_jupyter.contract import as_dict; print(json.dumps(as_dict()))';

/** The project's Python: $PYTHON, else the virtualenv of scripts/install.sh, else python3. */
function python(): string {
  if (process.env.PYTHON) {
    return process.env.PYTHON;
  }
  const venv = `${repository}.venv/bin/python`;
  return existsSync(venv) ? venv : 'python3';
}

test('contract.ts equals trame_jupyter/contract.py', () => {
  const output = execFileSync(python(), ['-c', PRINT_CONTRACT], { cwd: repository, encoding: 'utf8' });
  expect(JSON.parse(JSON.stringify(CONTRACT))).toEqual(JSON.parse(output));
});

test('the bundle interface has exactly the listed fields', () => {
  // A bundle literal must name every field of IBundle: this fails to type-check if one is added there
  // without BUNDLE_FIELDS (and the Python comparison above catches the other direction).
  const example: IBundle = {
    protocol: 1,
    server_id: 's',
    name: 'n',
    path: 'trame-jupyter/s/index.html',
    ui: 'main',
    height: null,
    width: null,
    kernel_id: null,
    kernel_pid: null,
    version: '0',
    stopped: false,
    snapshot: null
  };
  expect(Object.keys(example)).toEqual([...BUNDLE_FIELDS]);
});
