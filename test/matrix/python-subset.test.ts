// The generated repositories' own `make install` (uv sync --locked, real
// dependencies from the package index, MLflow included) and `make check`
// (ruff, mypy, the whole pytest suite, nothing skipped) on the matrix's
// representative subset: every Python version, serving, CI and cloud, DVC and
// GPU on and off. Opt-in, since each row installs its own environment (fast
// from the shared uv cache after the first): `node scripts/matrix.mjs --python`
// or MLFORGE_MATRIX_PYTHON=1.

import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { matrixRows, representativeSubset } from '../../scripts/matrix-plan.mjs';
import { generateRepo } from '../helpers/generate.js';
import { makeInstall } from '../helpers/python-env.js';

const enabled = process.env.MLFORGE_MATRIX_PYTHON === '1';
if (!enabled) console.log('skipped: the matrix Python subset runs with MLFORGE_MATRIX_PYTHON=1 (node scripts/matrix.mjs --python)');

describe.each(representativeSubset(matrixRows()))('$name (python $python, dvc $dvc, gpu $gpu)', (row) => {
  it.skipIf(!enabled)('passes make install and make check (ruff, mypy, pytest) with nothing skipped', { timeout: 1_800_000 }, async (context) => {
    const { name, ...answers } = row;
    const { dir } = await generateRepo({ ...answers, name });
    const installed = await makeInstall(dir, row.python);
    if (!installed.ok) {
      console.log(`skipped: ${installed.reason}`);
      context.skip();
      return;
    }
    const started = performance.now();
    const result = await execa('make', ['check'], { cwd: dir, reject: false, all: true, timeout: 1_500_000, env: { ...installed.env.makeEnv, GIT_SHA: 'test', MLFLOW_TRACKING_URI: '' } });
    expect(result.exitCode, String(result.all).slice(-4000)).toBe(0);
    const summary = /=+ (.* in [\d.]+s.*) =+/.exec(String(result.all))?.[1] ?? '';
    expect(summary).toMatch(/\d+ passed/);
    expect(summary).not.toMatch(/skipped|deselected|error/);
    console.log(`${name} (Python ${row.python}): make install ${installed.seconds.toFixed(1)} s, make check ${((performance.now() - started) / 1000).toFixed(1)} s`);
  });
});
