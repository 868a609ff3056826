// The templates compiled to JavaScript (the fast path `mlforge new` runs) write
// the same bytes as the Handlebars source templates, for every row of the
// option matrix: in process on the generated module, and through the built CLI.

import { mkdir, mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { matrixRows, newArgs, type MatrixRow } from '../../scripts/matrix-plan.mjs';
import { clouds, lockSets, mlflowServerSetKey } from '../../scripts/lock-sets.mjs';
import { lockFiles } from '../../src/plan/lock-files.js';
import { planProject } from '../../src/plan/plan-project.js';
import { lockSetOf, type LockReader, type LockStore } from '../../src/plan/uv-lock.js';
import type { Answers } from '../../src/questions/table.js';
import { templateSetFromBundle, type TemplateBundle } from '../../src/render/template-bundle.js';
import type { TemplateSet } from '../../src/render/template-set.js';
import { templateBundleSource } from '../../src/render/write-template-bundle.js';
import { mlforgeVersion } from '../../src/version.js';
import { execa } from 'execa';
import { assertBuilt, repoRoot } from '../helpers/cli.js';
import { answersWith, templates } from '../helpers/generate.js';

const rows = matrixRows();
const answersFor = (row: MatrixRow, extra: Partial<Answers> = {}) => {
  const { name, ...options } = row;
  return answersWith({ ...options, name, ...extra } as Partial<Answers>);
};
const hostile = { description: 'Quotes " \' ${{ x }} {{ y }} \\{{ z }} \\ ünï `$(id)` #c', author: 'O\'Brien & {{ co }}' };

describe('templates compiled to JavaScript', () => {
  let source: TemplateSet;
  let compiled: TemplateSet;
  beforeAll(async () => {
    source = await templates();
    const file = join(await mkdtemp(join(tmpdir(), 'mlforge-bundle-')), 'templates.mjs');
    await writeFile(file, templateBundleSource(source));
    // The lock store's files live beside the module, as dist/locks/ does beside the bundle.
    await mkdir(join(file, '..', 'locks'));
    for (const [name, contents] of lockFiles(source.versions.locks as unknown as LockStore)) await writeFile(join(file, '..', 'locks', name), contents);
    const module = (await import(pathToFileURL(file).href)) as { bundledTemplates: TemplateBundle };
    compiled = templateSetFromBundle(module.bundledTemplates);
  });

  it('carry the same files, rules and versions', () => {
    expect(compiled.files).toEqual(source.files.map(({ path, executable }) => ({ path, executable })));
    expect(compiled.rules).toEqual(source.rules);
    const { locks: compiledLocks, ...compiledVersions } = compiled.versions;
    const { locks: sourceLocks, ...sourceVersions } = source.versions;
    expect(compiledVersions).toEqual(sourceVersions);
    // The lock store, read one set at a time from its files: every set, header and blocks in order.
    const store = sourceLocks as unknown as LockStore;
    expect(Object.keys(store.sets).sort()).toEqual([...lockSets().map((set) => set.key), ...clouds.map(mlflowServerSetKey)].sort());
    for (const key of Object.keys(store.sets)) {
      const set = lockSetOf(compiledLocks as unknown as LockReader, key);
      expect(set?.blocks.length, key).toBe(store.sets[key]!.packages.length);
      expect(set, key).toEqual(lockSetOf(store, key));
    }
    expect(lockSetOf(compiledLocks as unknown as LockReader, '3.10-aws')).toBeUndefined();
    expect(lockSetOf(compiledLocks as unknown as LockReader, '../locks')).toBeUndefined();
  });

  it(`plan byte-identical repositories for every one of the ${rows.length} matrix rows, with plain and hostile free text`, () => {
    for (const row of rows) {
      for (const extra of [{}, hostile]) {
        const answers = answersFor(row, extra);
        expect(planProject(answers, compiled, 'v').files, `${row.name} ${JSON.stringify(extra)}`).toEqual(planProject(answers, source, 'v').files);
      }
    }
  });
});

describe('the built CLI (dist/), run as the package\'s command', () => {
  beforeAll(assertBuilt);
  let command: string;
  const mlforge = (args: string[]) => execa('node', [command, ...args], { reject: false, stdin: 'ignore', timeout: 60_000, env: { NO_COLOR: '1', GIT_CONFIG_GLOBAL: '/dev/null' } }); // the author default would come from the user's git config
  beforeAll(async () => {
    const pkg = JSON.parse(await readFile(join(repoRoot, 'package.json'), 'utf8')) as { version: string; bin: { mlforge: string } };
    command = join(repoRoot, pkg.bin.mlforge);
    expect(String((await mlforge(['--version'])).stdout)).toBe(pkg.version);
  });

  it(`writes the bytes and modes the source templates plan, for every one of the ${rows.length} matrix rows`, async () => {
    const parent = await mkdtemp(join(tmpdir(), 'mlforge-bundle-cli-'));
    const source = await templates();
    for (const row of rows) {
      const dir = join(parent, row.name);
      const result = await mlforge(newArgs(row, dir));
      expect(result.exitCode, `${row.name}: ${String(result.stderr)}`).toBe(0);
      const plan = planProject(answersFor(row), source, mlforgeVersion);
      const written = (JSON.parse(String(result.stdout)) as { files: string[] }).files;
      expect(written, row.name).toEqual(plan.files.map((file) => file.path));
      for (const file of plan.files) {
        expect(await readFile(join(dir, file.path), 'utf8'), `${row.name}: ${file.path}`).toBe(file.contents);
        expect((await stat(join(dir, file.path))).mode & 0o111 ? 0o755 : 0o644, `${row.name}: mode of ${file.path}`).toBe(file.mode);
      }
    }
  }, 180_000);
});
