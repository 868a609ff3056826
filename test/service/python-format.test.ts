// ruff (lint and format check, the doctor's rule) on the generated Python for
// project names of every length class: names change line widths (package,
// environment prefix), so a line ruff would join for a short name or find too
// long for a 40-character one fails `make check` on day one.

import { describe, expect, test } from 'vitest';
import { loadRepoView } from '../../src/doctor/repo-view.js';
import { ruffCheck } from '../../src/doctor/validators/ruff.js';
import { generateRepo } from '../helpers/generate.js';

const lengths = [3, 4, 5, 6, 7, 8, 10, 12, 16, 20, 26, 32, 36, 40];
const nameOf = (length: number) => `n${'abcdefghij'.repeat(4)}`.slice(0, length);

describe('generated Python is ruff-clean for every name length', () => {
  test.each(lengths.map((length) => [length, nameOf(length)] as const))('%i characters (%s)', async (_length, name) => {
    const { dir } = await generateRepo({ name, cloud: name.length % 2 === 0 ? 'aws' : 'gcp', dvc: name.length % 3 === 0 });
    const result = await ruffCheck.run(await loadRepoView(dir));
    if (result.status === 'skipped') throw new Error(`ruff is required on PATH (.ci/run installs it): ${result.reason}`);
    expect(result.findings, JSON.stringify(result.findings, null, 2)).toEqual([]);
    expect(result.status).toBe('passed');
  });
});

describe('the ruff rule reads both output styles of `ruff format --check`', () => {
  test('older "Would reformat:" lines and newer per-file diagnostics', async () => {
    const { unformattedFiles } = await import('../../src/doctor/validators/ruff.js');
    expect([...unformattedFiles('Would reformat: /c/src/a.py\nWould reformat: /c/b.py\n2 files would be reformatted\n')]).toEqual([['/c/src/a.py', undefined], ['/c/b.py', undefined]]);
    const newer = 'unformatted: File would be reformatted\n  --> /c/src/s.py:63:78\n   |\n62 |  x\n   -  "a"\n\n1 file would be reformatted, 41 files already formatted\n';
    expect([...unformattedFiles(newer)]).toEqual([['/c/src/s.py', 63]]);
    expect(unformattedFiles('41 files already formatted\n').size).toBe(0);
  });
});
