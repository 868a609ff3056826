// The generated repositories' own Python checks (`make check`: ruff, mypy,
// pytest) on the matrix's representative subset: every Python version, both
// servings, both CIs and every cloud. Opt-in, since it builds one virtual
// environment per Python version: `node scripts/matrix.mjs --python` or
// MLFORGE_MATRIX_PYTHON=1.

import { execa } from 'execa';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { matrixRows, representativeSubset } from '../../scripts/matrix-plan.mjs';
import { generateRepo } from '../helpers/generate.js';
import { ensurePythonEnv, installableRequirements, projectEnv } from '../helpers/python-env.js';
import { hasCommand } from '../hostile/tools.js';

const enabled = process.env.MLFORGE_MATRIX_PYTHON === '1';
if (!enabled) console.log('skipped: the matrix Python subset runs with MLFORGE_MATRIX_PYTHON=1 (node scripts/matrix.mjs --python)');
const makeAvailable = hasCommand('make', ['--version']);
if (enabled && !makeAvailable) console.log('skipped: make not available');

describe.each(representativeSubset(matrixRows()))('$name (python $python)', (row) => {
  it.skipIf(!enabled || !makeAvailable)('passes make check (ruff, mypy, pytest) in its own environment', { timeout: 1_200_000 }, async (context) => {
    const { name, ...answers } = row;
    const { dir } = await generateRepo({ ...answers, name });
    const requirements = installableRequirements(await readFile(join(dir, 'pyproject.toml'), 'utf8'));
    const shared = await ensurePythonEnv(row.python, requirements);
    if (!shared.ok) {
      console.log(`skipped: ${shared.reason}`);
      context.skip();
      return;
    }
    const project = await projectEnv(shared.env, dir);
    const result = await execa('make', ['check', `VENV=${project.dir}`], { cwd: dir, reject: false, all: true, timeout: 1_100_000, env: { GIT_SHA: 'test' } });
    expect(result.exitCode, String(result.all).slice(-4000)).toBe(0);
  });
});
