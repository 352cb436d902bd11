// The two twins of the contract hold the same constants: every exported UPPER_CASE constant of
// common/src/contract.ts, and every public UPPER_CASE constant of the Python module
// trame_jupyter.core.contract (what its `as_dict()` returns), each found by reading its module, never
// from a hand-kept list. A constant added to one twin and not the other fails here, by name.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';

import * as contract from '../src/contract';

const repository = fileURLToPath(new URL('../..', import.meta.url));
const PYTHON_MODULE = 'trame_jupyter.core.contract';
const PRINT_CONTRACT = `import json; from ${PYTHON_MODULE} import as_dict; print(json.dumps(as_dict()))`;
/** A constant's name: upper-case words joined by "_" (`PROTOCOL_VERSION`, `KEY`). */
const CONSTANT_NAME = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*$/;

/** The project's Python: $PYTHON, else the virtualenv of scripts/install.sh, else python3. */
function python(): string {
  if (process.env.PYTHON) {
    return process.env.PYTHON;
  }
  const venv = `${repository}.venv/bin/python`;
  return existsSync(venv) ? venv : 'python3';
}

/** Every UPPER_CASE export of a module, as JSON data (frozen objects and `as const` arrays included). */
function constantsOf(module: Record<string, unknown>): Record<string, unknown> {
  const found: Record<string, unknown> = {};
  for (const name of Object.keys(module).sort()) {
    if (CONSTANT_NAME.test(name)) {
      found[name] = JSON.parse(JSON.stringify(module[name]));
    }
  }
  return found;
}

/** What Python's twin says, as JSON data (its tuples are lists). */
function pythonConstants(): Record<string, unknown> {
  const output = execFileSync(python(), ['-c', PRINT_CONTRACT], { cwd: repository, encoding: 'utf8' });
  return JSON.parse(output) as Record<string, unknown>;
}

/** How two sets of constants differ, one line per difference, naming the side each is missing on. */
function differences(typescript: Record<string, unknown>, python: Record<string, unknown>): string[] {
  const lines: string[] = [];
  const onlyTypescript = Object.keys(typescript).filter(name => !(name in python));
  const onlyPython = Object.keys(python).filter(name => !(name in typescript));
  if (onlyTypescript.length) {
    lines.push(`missing in ${PYTHON_MODULE} (only in contract.ts): ${onlyTypescript.sort().join(', ')}`);
  }
  if (onlyPython.length) {
    lines.push(`missing in contract.ts (only in ${PYTHON_MODULE}): ${onlyPython.sort().join(', ')}`);
  }
  for (const name of Object.keys(typescript).filter(name => name in python)) {
    if (!isDeepEqual(typescript[name], python[name])) {
      const [ts, py] = [JSON.stringify(typescript[name]), JSON.stringify(python[name])];
      lines.push(`${name} differs: contract.ts has ${ts}, ${PYTHON_MODULE} has ${py}`);
    }
  }
  return lines;
}

function isDeepEqual(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => isDeepEqual(x, b[i]));
  }
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const [ka, kb] = [Object.keys(a).sort(), Object.keys(b).sort()];
    const ra = a as Record<string, unknown>;
    const rb = b as Record<string, unknown>;
    return isDeepEqual(ka, kb) && ka.every(key => isDeepEqual(ra[key], rb[key]));
  }
  return a === b;
}

test('contract.ts and its Python twin have the same constants, with the same values', () => {
  const typescript = constantsOf(contract);
  expect(Object.keys(typescript)).toContain('PROTOCOL_VERSION'); // the module was read, not an empty namespace
  const problems = differences(typescript, pythonConstants());
  expect(problems, `the twins of the contract disagree:\n  ${problems.join('\n  ')}\n`).toEqual([]);
});

test('a difference names the constant and the side it is missing on', () => {
  expect(differences({ A: 1, B: [1, 2], C: { x: 1 } }, { B: [1, 2], C: { x: 2 }, D: 'd' })).toEqual([
    `missing in ${PYTHON_MODULE} (only in contract.ts): A`,
    `missing in contract.ts (only in ${PYTHON_MODULE}): D`,
    `C differs: contract.ts has {"x":1}, ${PYTHON_MODULE} has {"x":2}`
  ]);
});

test('the bundle interface has exactly the listed fields', () => {
  // A bundle literal names every field of IBundle (a TypeScript editor flags one added there without
  // BUNDLE_FIELDS), and the comparison with Python above covers BUNDLE_FIELDS itself.
  const example: contract.IBundle = {
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
  expect(Object.keys(example)).toEqual([...contract.BUNDLE_FIELDS]);
});
