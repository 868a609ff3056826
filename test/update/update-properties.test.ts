// Properties of mlforge update over random answers and random user edits, a
// declared template move, and a full disk mid-update; all through built CLIs.

import { execa } from 'execa';
import fc from 'fast-check';
import { mkdir, readFile, rename, statfs, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, binPath, snapshotTree, tempDir } from '../helpers/cli.js';
import { canMountTmpfs, mountTmpfs, type Mount } from '../faults/mounts.js';
import { releaseWith, type Release } from './releases.js';

// GIT_CONFIG_GLOBAL: the author default would otherwise come from the user's git config, and differ between releases.
const run = (bin: string, args: string[], env: Record<string, string> = {}) =>
  execa('node', [bin, ...args], { reject: false, stdin: 'ignore', timeout: 120_000, env: { NO_COLOR: '1', GIT_CONFIG_GLOBAL: '/dev/null', ...env } });
const git = (cwd: string, args: string[]) =>
  execa('git', ['-c', 'user.name=t', '-c', 'user.email=t@localhost', '-c', 'commit.gpgsign=false', ...args], { cwd });

const pipLine = ".venv/bin/pip install -e '.[dev]'";
let next: Release;
let moved: Release;

beforeAll(async () => {
  assertBuilt();
  next = await releaseWith('0.3.0', 'readme', async (templates) => {
    const file = join(templates, 'files', 'README.md');
    const text = await readFile(file, 'utf8');
    await writeFile(
      file,
      text
        .replace(pipLine, ".venv/bin/pip install --upgrade -e '.[dev]'")
        .replace('A model service with its whole lifecycle in one repository: versioned data and', 'A model service and its whole lifecycle in one repository: versioned data and'),
    );
  });
  moved = await releaseWith('0.3.0', 'moves', async (templates) => {
    await mkdir(join(templates, 'files', 'docs', 'operations'));
    await rename(join(templates, 'files', 'docs', 'runbook.md'), join(templates, 'files', 'docs', 'operations', 'runbook.md'));
    await writeFile(join(templates, 'migrations', '0.3.0.yml'), 'moves:\n  - from: docs/runbook.md\n    to: docs/operations/runbook.md\n');
  });
}, 240_000);

const answers = fc.record({
  cloud: fc.constantFrom('aws', 'gcp', 'azure', 'local'),
  ci: fc.constantFrom('github', 'gitlab'),
  serving: fc.constantFrom('fastapi', 'kserve'),
  canary: fc.boolean(),
  monitoring: fc.boolean(),
  dvc: fc.boolean(),
  gpu: fc.boolean(),
  python: fc.constantFrom('3.11', '3.12', '3.13'),
});
type Drawn = typeof answers extends fc.Arbitrary<infer T> ? T : never;

function flags(drawn: Drawn): string[] {
  return [
    '--cloud', drawn.cloud, '--ci', drawn.ci, '--serving', drawn.serving, '--python', drawn.python,
    ...(drawn.serving === 'fastapi' ? ['--rollout', drawn.canary ? 'canary' : 'rolling'] : []),
    drawn.monitoring ? '--monitoring' : '--no-monitoring', drawn.dvc ? '--dvc' : '--no-dvc', drawn.gpu ? '--gpu' : '--no-gpu',
  ];
}

/** Appends a line to each chosen file (never README.md, which the new release changes) and edits README's line 3. */
async function applyEdits(dir: string, picks: number[], readmeLine3: boolean): Promise<void> {
  const files = Object.keys(await snapshotTree(dir)).filter((path) => !path.endsWith('/') && path !== 'README.md' && path !== '.mlforge.yml').sort();
  for (const pick of picks) {
    const path = files[pick % files.length]!;
    const full = join(dir, path);
    const text = await readFile(full, 'utf8');
    if (!text.includes('# user edit\n')) await writeFile(full, `${text}# user edit\n`);
  }
  if (readmeLine3) {
    const full = join(dir, 'README.md');
    const lines = (await readFile(full, 'utf8')).split('\n');
    lines[2] = 'Our own description.';
    await writeFile(full, lines.join('\n'));
  }
}

describe('update properties (fast-check)', () => {
  it('new@0.2.0 + edits + update == new@0.3.0 + the same edits; twice == once; a no-op update writes nothing', async () => {
    await fc.assert(
      fc.asyncProperty(answers, fc.array(fc.nat(), { maxLength: 6 }), fc.boolean(), async (drawn, picks, readmeLine3) => {
        const parent = await tempDir('mlforge-update-prop-');
        const dir = join(parent, 'prop-svc');
        expect((await run(binPath, ['new', dir, '--yes', '-q', ...flags(drawn)])).exitCode).toBe(0);
        const noop = await run(binPath, ['update', dir, '--json']);
        expect(JSON.parse(String(noop.stdout)).changed).toEqual([]);
        await applyEdits(dir, picks, readmeLine3);
        await git(dir, ['add', '-A']);
        await git(dir, ['commit', '-q', '--allow-empty', '--no-verify', '-m', 'edits']);
        const updated = await run(next.bin, ['update', dir]);
        expect(updated.exitCode, `${updated.stdout}${updated.stderr}`).toBe(0);
        const expected = join(parent, 'expected', 'prop-svc');
        expect((await run(next.bin, ['new', expected, '--yes', '-q', '--no-git', ...flags(drawn)])).exitCode).toBe(0);
        await applyEdits(expected, picks, readmeLine3);
        const afterOnce = await snapshotTree(dir);
        expect(afterOnce).toEqual(await snapshotTree(expected));
        await git(dir, ['add', '-A']);
        await git(dir, ['commit', '-q', '--allow-empty', '--no-verify', '-m', 'update']);
        const twice = await run(next.bin, ['update', dir, '--json']);
        expect(JSON.parse(String(twice.stdout)).changed).toEqual([]);
        expect(await snapshotTree(dir)).toEqual(afterOnce);
      }),
      { numRuns: 4 },
    );
  }, 600_000);
});

describe('declared moves', () => {
  it('carries your edit of a moved template file to its new place', async () => {
    const dir = join(await tempDir('mlforge-update-move-'), 'move-svc');
    expect((await run(binPath, ['new', dir, '--yes', '-q'])).exitCode).toBe(0);
    const runbook = join(dir, 'docs', 'runbook.md');
    await writeFile(runbook, `${await readFile(runbook, 'utf8')}\n## Our on-call rota\n`);
    await git(dir, ['commit', '-qam', 'rota']);
    const result = await run(moved.bin, ['update', dir, '--json']);
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(JSON.parse(String(result.stdout)).files).toContainEqual(expect.objectContaining({ path: 'docs/operations/runbook.md', from: 'docs/runbook.md', verdict: 'kept yours' }));
    expect(await readFile(join(dir, 'docs', 'operations', 'runbook.md'), 'utf8')).toContain('## Our on-call rota');
    expect(Object.keys(await snapshotTree(dir))).not.toContain('docs/runbook.md');
  }, 120_000);
});

describe('faults', () => {
  const mounts: Mount[] = [];
  afterEach(() => mounts.splice(0).forEach((mount) => mount.unmount()));
  const mountable = canMountTmpfs();
  it.skipIf(!mountable)('a full disk mid-update: exit 1, every file as before', async () => {
    const mount = mountTmpfs(4096);
    mounts.push(mount);
    const dir = join(mount.dir, 'disk-svc');
    expect((await run(binPath, ['new', dir, '--yes', '-q', '--no-git'])).exitCode).toBe(0);
    const before = await snapshotTree(dir);
    const free = await statfs(mount.dir);
    await writeFile(join(mount.dir, 'filler'), Buffer.alloc(Math.max(0, free.bavail * free.bsize - 12 * 1024)));
    const result = await run(next.bin, ['update', dir, '--set', 'name=renamed-svc']);
    expect(result.exitCode, String(result.stderr)).toBe(1);
    expect(String(result.stderr)).toMatch(/Cannot update .*disk-svc: the disk is full .*Nothing was changed/);
    expect(await snapshotTree(dir)).toEqual(before);
  }, 120_000);
  if (!mountable) console.log('skipped: mount -t tmpfs not available (needs root with CAP_SYS_ADMIN)');
});
