// The option matrix: every valid core combination once, every pair of option
// values covered, rows the CLI accepts, and a runner whose exit code agrees
// with its summary table.

import { execa } from 'execa';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveAnswers } from '../../src/answers/resolve-answers.js';
import { projectName } from '../../src/questions/text-rules.js';
import { questions, type Answers } from '../../src/questions/table.js';
import { coreMatrix } from '../helpers/generate.js';
import { assertBuilt, repoRoot } from '../helpers/cli.js';
import { coreCombinations, matrixRows, newArgs, representativeSubset, summaryTable, type MatrixRow } from '../../scripts/matrix-plan.mjs';

const rows = matrixRows();
const options = ['cloud', 'ci', 'serving', 'rollout', 'monitoring', 'dvc', 'gpu', 'python'] as const;

/** Values of an option according to the questions table (not the matrix's own list). */
function valuesOf(key: (typeof options)[number]): Array<string | boolean> {
  const question = questions.find((q) => q.key === key)!;
  return question.kind === 'confirm' ? [true, false] : [...(question as { allValues: readonly string[] }).allValues];
}

describe('matrix rows', () => {
  it('hold every valid cloud x CI x serving x rollout combination exactly once in the core', () => {
    const key = (row: Pick<MatrixRow, 'cloud' | 'ci' | 'serving' | 'rollout'>) => `${row.cloud}/${row.ci}/${row.serving}/${row.rollout}`;
    expect(coreCombinations().map(key).sort()).toEqual(coreMatrix().map(key).sort());
    expect(new Set(rows.map(key))).toEqual(new Set(coreMatrix().map(key)));
    expect(rows.slice(0, coreMatrix().length).map(key).sort()).toEqual(coreMatrix().map(key).sort());
  });

  it('cover every pair of values of any two options (pairwise), canary only with fastapi', () => {
    const missing: string[] = [];
    for (const [i, a] of options.entries())
      for (const b of options.slice(i + 1))
        for (const va of valuesOf(a))
          for (const vb of valuesOf(b)) {
            const pair = { [a]: va, [b]: vb } as Partial<MatrixRow>;
            if (pair.serving === 'kserve' && pair.rollout === 'canary') continue;
            if (!rows.some((row) => row[a] === va && row[b] === vb)) missing.push(`${a}=${va} with ${b}=${vb}`);
          }
    expect(missing).toEqual([]);
    expect(rows.filter((row) => row.serving === 'kserve' && row.rollout === 'canary')).toEqual([]);
  });

  it('are the same on every call and have unique valid project names', () => {
    expect(matrixRows()).toEqual(rows);
    expect(new Set(rows.map((row) => row.name)).size).toBe(rows.length);
    for (const row of rows) expect(projectName.safeParse(row.name).success, row.name).toBe(true);
  });

  it('give flags the answer resolver accepts, resolving to the row', async () => {
    for (const row of rows) {
      const args = newArgs(row, 'dir');
      const flag = (name: string) => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : undefined);
      const toggle = (name: string) => (args.includes(`--${name}`) ? true : args.includes(`--no-${name}`) ? false : undefined);
      const answers: Answers = await resolveAnswers({
        flags: {
          name: flag('name'), cloud: flag('cloud'), ci: flag('ci'), serving: flag('serving'), rollout: flag('rollout'),
          python: flag('python'), monitoring: toggle('monitoring'), dvc: toggle('dvc'), gpu: toggle('gpu'),
        },
        yes: true,
        hints: {},
      });
      const { name, ...rest } = row;
      expect(answers).toMatchObject({ name, ...rest });
    }
  });

  it('name a representative subset holding every Python version, serving, CI and cloud', () => {
    const subset = representativeSubset(rows);
    for (const key of ['python', 'serving', 'ci', 'cloud'] as const) {
      expect(new Set(subset.map((row) => row[key])), key).toEqual(new Set(valuesOf(key)));
    }
    expect(subset.length).toBeLessThanOrEqual(6);
  });
});

describe('summary table', () => {
  it('has one aligned line per result with its counts and outcome', () => {
    const table = summaryTable([
      { row: rows[0]!, ok: true, files: 120, doctor: { passed: 30, failed: 0, skipped: 2, total: 32 }, seconds: 12.34 },
      { row: rows[1]!, ok: false, seconds: 1, error: 'new exited 2: bad flag' },
    ]);
    const lines = table.split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^#\s+combination\s+monitoring dvc gpu python\s+files\s+passed\s+failed\s+skipped\s+seconds\s+result$/);
    expect(lines[2]).toContain('aws github fastapi rolling');
    expect(lines[2]).toMatch(/120\s+30\s+0\s+2\s+12\.3\s+ok$/);
    expect(lines[3]).toMatch(/-\s+-\s+-\s+-\s+1\.0\s+FAILED: new exited 2: bad flag$/);
    expect(lines[2]!.indexOf('120')).toBe(lines[0]!.indexOf('files'));
  });
});

describe('runner (built CLI, one combination)', () => {
  it('prints the table and exits 1 exactly when a row failed', { timeout: 300_000 }, async () => {
    assertBuilt();
    const result = await execa('node', [join(repoRoot, 'scripts', 'matrix.mjs'), '--only', 'm19-', '--jobs', '1'], { reject: false });
    expect(result.stdout).toMatch(/^1\s+local github fastapi rolling/m);
    const failed = /FAILED/.test(result.stdout.split('\n').find((line) => line.startsWith('1 ')) ?? '');
    expect(result.exitCode, result.stderr).toBe(failed ? 1 : 0);
    expect(result.stdout).toMatch(/\d+\/1 combinations passed/);
  });
});
