// The committed uv.lock of every dependency set is fresh: rendered for a
// project name that sorts differently from the stored one, `uv lock --check`
// accepts it against the rendered pyproject.toml without resolving anything
// (offline), and `uv lock` leaves it byte-for-byte unchanged. A pyproject or
// version-pin change without `node scripts/refresh-locks.mjs` fails here.

import { execa } from 'execa';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { lockSets } from '../../scripts/lock-sets.mjs';
import { generateRepo } from '../helpers/generate.js';
import { findPython } from '../helpers/python-env.js';
import { hasCommand } from '../hostile/tools.js';

const uvAvailable = hasCommand('uv', ['--version']);
if (!uvAvailable) console.log('skipped: uv not available (the lock checks need it; .ci/run installs it)');

describe.skipIf(!uvAvailable)('uv.lock of every dependency set', () => {
  test.each(lockSets())('$key is consistent with its pyproject.toml', { timeout: 120_000 }, async ({ python, cloud, dvc }) => {
    const interpreter = await findPython(python);
    expect(interpreter, `Python ${python} for uv`).toBeDefined();
    // "aaa-first" sorts before every package, "zz-last" after: the project block moves.
    for (const name of ['aaa-first', 'zz-last']) {
      const { dir } = await generateRepo({ name, python, cloud, dvc });
      const env = { UV_PYTHON: interpreter!, UV_PYTHON_DOWNLOADS: 'never', UV_NO_PROGRESS: '1' };
      const check = await execa('uv', ['lock', '--check', '--offline'], { cwd: dir, reject: false, env });
      expect(check.exitCode, `uv lock --check (${name}): ${check.stderr}`).toBe(0);
      const before = await readFile(join(dir, 'uv.lock'), 'utf8');
      const relock = await execa('uv', ['lock', '--offline'], { cwd: dir, reject: false, env });
      expect(relock.exitCode, relock.stderr).toBe(0);
      expect(await readFile(join(dir, 'uv.lock'), 'utf8')).toBe(before);
    }
  });
});
