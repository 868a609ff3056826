// The writer under injected faults (a WriterFs that fails like a full disk,
// a read-only or a permission-denied file system) and simulated interrupts:
// whatever happens, the target is left exactly as it was before.

import * as nodeFs from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConflictError } from '../../src/errors.js';
import type { Plan } from '../../src/plan/plan-project.js';
import { writePlan, WriteError, type WriterFs } from '../../src/write/write-plan.js';
import { planFor } from '../helpers/generate.js';
import { snapshotTree, tempDir } from '../helpers/cli.js';

type FailingCall = 'writeSync' | 'mkdirSync' | 'openSync' | 'renameSync';

/** The real fs, except that `call` fails with `code` once it has succeeded `after` times. */
function failingFs(call: FailingCall, code: string, after: number): WriterFs {
  let calls = 0;
  const real = nodeFs[call] as (...args: unknown[]) => unknown;
  const failing = (...args: unknown[]) => {
    if (calls++ >= after) throw Object.assign(new Error(`${code}: injected failure, ${call} '${String(args[0])}'`), { code });
    return real(...args);
  };
  return { ...nodeFs, [call]: failing } as WriterFs;
}

let plan: Plan;
beforeAll(async () => {
  plan = await planFor({ name: 'fault-svc' });
});

/** A directory with user files, one of which the plan overwrites. */
async function existingProject(): Promise<string> {
  const dir = join(await tempDir('mlforge-faults-'), 'fault-svc');
  await mkdir(join(dir, 'docs'), { recursive: true });
  await writeFile(join(dir, 'README.md'), '# my own readme\n');
  await writeFile(join(dir, 'notes.txt'), 'keep me\n');
  await writeFile(join(dir, 'docs', 'mine.md'), 'mine\n');
  return dir;
}

// [call, error code, message, successful calls before the failure into a new directory, and with --force]
const faults: Array<[FailingCall, string, RegExp, number, number]> = [
  ['writeSync', 'ENOSPC', /the disk is full/, 4, 4],
  ['writeSync', 'EDQUOT', /quota/, 4, 4],
  ['mkdirSync', 'EROFS', /read-only/, 4, 2],
  ['mkdirSync', 'EACCES', /permission denied/, 0, 0],
  ['openSync', 'EPERM', /not permitted/, 4, 4],
  // the final rename of the staging directory; with --force, after some files were renamed into place
  ['renameSync', 'EACCES', /permission denied/, 0, 5],
];

describe.each(faults)('%s failing with %s', (call, code, reason, afterNew, afterMerge) => {
  it('into a new directory (with missing parents): nothing is left, parents included', async () => {
    const root = await tempDir('mlforge-faults-');
    const target = join(root, 'a', 'b', 'fault-svc');
    const error = await writePlan(plan, target, { force: false, fs: failingFs(call, code, afterNew) }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(WriteError);
    expect((error as Error).message).toMatch(reason);
    expect((error as Error).message).toContain('Nothing was written');
    expect(await snapshotTree(root)).toEqual({});
  });

  it('with --force into an existing directory: every file and directory is as before', async () => {
    const dir = await existingProject();
    const before = await snapshotTree(dir);
    const error = await writePlan(plan, dir, { force: true, fs: failingFs(call, code, afterMerge) }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(WriteError);
    expect((error as Error).message).toMatch(reason);
    expect(await snapshotTree(dir)).toEqual(before);
  });
});

describe('interrupts (the cleanup the signal handler runs)', () => {
  for (const at of [0, 3, Number.MAX_SAFE_INTEGER]) { // MAX: the last file
    it(`into a new directory, interrupted before file ${at}: nothing is left`, async () => {
      const root = await tempDir('mlforge-faults-');
      const error = await interruptedWrite(join(root, 'fault-svc'), false, at);
      expect(error.message).toContain('interrupted');
      expect(await snapshotTree(root)).toEqual({});
    });

    it(`into an existing empty directory, interrupted before file ${at}: it stays empty`, async () => {
      const root = await tempDir('mlforge-faults-');
      await mkdir(join(root, 'fault-svc'));
      const before = await snapshotTree(root);
      await interruptedWrite(join(root, 'fault-svc'), false, at);
      expect(await snapshotTree(root)).toEqual(before);
    });

    it(`with --force, interrupted before file ${at}: the directory is as before`, async () => {
      const dir = await existingProject();
      const before = await snapshotTree(dir);
      await interruptedWrite(dir, true, at);
      expect(await snapshotTree(dir)).toEqual(before);
    });
  }
});

/** Runs the cleanup registered through onInterrupt from inside the write, as SIGINT would, then stops it. */
async function interruptedWrite(target: string, force: boolean, at: number): Promise<Error> {
  let cleanup: (() => void) | undefined;
  return writePlan(plan, target, {
    force,
    onInterrupt: (registered) => {
      cleanup = registered;
      return () => (cleanup = undefined);
    },
    beforeFile: (_path, index) => {
      if (index !== Math.min(at, plan.files.length - 1)) return;
      expect(cleanup, 'a cleanup is registered while files are written').toBeDefined();
      cleanup!();
      throw new Error('interrupted');
    },
  }).then(
    () => {
      throw new Error('the write was not interrupted');
    },
    (error: Error) => error,
  );
}

describe('conflicts and success', () => {
  it('a file where a directory must go stops --force before anything is written (exit 3)', async () => {
    const dir = await existingProject();
    const directory = plan.files.find((file) => file.path.includes('/'))!.path.split('/')[0]!;
    await writeFile(join(dir, directory), 'a file, not a directory\n');
    const before = await snapshotTree(dir);
    const error = await writePlan(plan, dir, { force: true }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as ConflictError).exitCode).toBe(3);
    expect((error as Error).message).toContain(`${directory} in ${dir} is a file, not a directory`);
    expect(await snapshotTree(dir)).toEqual(before);
  });

  it('a successful --force merge keeps user files, lists overwrites and leaves no temporary or backup', async () => {
    const dir = await existingProject();
    const result = await writePlan(plan, dir, { force: true });
    expect(result.overwritten).toEqual(['README.md']);
    const after = await snapshotTree(dir);
    expect(Object.keys(after)).toEqual(expect.arrayContaining(['notes.txt', 'docs/mine.md', ...plan.files.map((file) => file.path)]));
    expect(Object.keys(after).filter((path) => path.includes('.mlforge-'))).toEqual([]);
    const again = await writePlan(plan, dir, { force: true });
    expect(again.written).toEqual([]);
    expect(again.unchanged).toHaveLength(plan.files.length);
  });
});

describe('the parent is listed for leftovers only after a killed run', () => {
  /** The real fs, recording the directories listed. */
  function listingFs(): { fs: WriterFs; listed: string[] } {
    const listed: string[] = [];
    const readdirSync = ((path: nodeFs.PathLike, ...rest: unknown[]) => {
      listed.push(String(path));
      return (nodeFs.readdirSync as (...args: unknown[]) => unknown)(path, ...rest);
    }) as typeof nodeFs.readdirSync;
    return { fs: { ...nodeFs, readdirSync } as WriterFs, listed };
  }
  const deadStaging = '.fault-svc.mlforge-999999-deadbeef';

  it('without a lock left behind, a new target does not read its parent (a crowded parent costs nothing)', async () => {
    const parent = await tempDir('mlforge-faults-');
    await mkdir(join(parent, deadStaging));
    const { fs, listed } = listingFs();
    await writePlan(plan, join(parent, 'fault-svc'), { force: false, fs });
    expect(listed).not.toContain(parent);
    expect(nodeFs.readdirSync(parent).sort()).toEqual([deadStaging, 'fault-svc']);
  });

  it("a stale lock of a dead run is taken over and that run's staging directory removed", async () => {
    const parent = await tempDir('mlforge-faults-');
    await mkdir(join(parent, deadStaging));
    const lock = { pid: 999999, host: hostname(), started: '2026-01-01T00:00:00.000Z' };
    await writeFile(join(parent, '.fault-svc.mlforge-lock'), `${JSON.stringify(lock)}\n`);
    const { fs, listed } = listingFs();
    const result = await writePlan(plan, join(parent, 'fault-svc'), { force: false, fs });
    expect(listed).toContain(parent);
    expect(result.leftovers?.removed).toEqual([join(parent, deadStaging)]);
    expect(nodeFs.readdirSync(parent)).toEqual(['fault-svc']);
  });
});
