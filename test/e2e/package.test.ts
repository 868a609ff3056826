// The published shape: `npm pack` of mlforge and of packages/create-mlforge, installed the
// way users install them (a clean prefix, an empty npm cache), then run through their bins
// and through `npx` of the tarballs. Nothing here reaches the registry: mlforge has no
// runtime dependencies, and create-mlforge's one dependency is the mlforge tarball beside it.

import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, repoRoot, tempDir } from '../helpers/cli.js';

interface PackResult {
  filename: string;
  unpackedSize: number;
  files: { path: string }[];
}

const npmEnv = (cache: string) => ({ ...process.env, npm_config_cache: cache, npm_config_update_notifier: 'false', NO_COLOR: '1' });

/** `npm pack` without lifecycle scripts: dist/ is already built (`npm test` builds first), and
 * prepack's rebuild must not pull dist/ from under the other suites running at the same time. */
async function pack(dir: string, destination: string, cache: string): Promise<PackResult> {
  const result = await execa('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', destination], {
    cwd: dir,
    env: npmEnv(cache),
  });
  const [packed] = JSON.parse(result.stdout) as PackResult[];
  return { ...packed!, filename: join(destination, packed!.filename) };
}

async function directorySize(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) total += (await stat(join(entry.parentPath, entry.name))).size;
  }
  return total;
}

describe('the npm packages', () => {
  let work: string;
  let cache: string;
  let mlforgeTarball: PackResult;
  let createTarball: PackResult;

  beforeAll(async () => {
    assertBuilt();
    work = await tempDir('mlforge-package-');
    cache = join(work, 'npm-cache');
    mlforgeTarball = await pack(repoRoot, work, cache);
    createTarball = await pack(join(repoRoot, 'packages', 'create-mlforge'), work, cache);
  });

  it('ships the bundle, LICENSE, README, the region list and the template history, and no source maps, templates, sources or scripts', () => {
    const paths = mlforgeTarball.files.map((file) => file.path);
    expect(paths).toEqual(
      expect.arrayContaining(['LICENSE', 'README.md', 'package.json', 'bin/mlforge.cjs', 'bin/mlforge.js', 'dist/launcher.cjs', 'dist/main.cjs', 'templates/history/0.1.0.json']),
    );
    // The templates are compiled into dist/main.cjs; at run time only the region list is read, and
    // `mlforge update` reads earlier releases' templates from the content-addressed history.
    const unwanted = paths.filter(
      (path) => path.endsWith('.map') || /^(templates|src|scripts|test|bench|packages)\//.test(path),
    ).filter((path) => !path.startsWith('templates/history/'));
    expect(unwanted).toEqual(['templates/versions/regions.yml']);
    expect(mlforgeTarball.unpackedSize).toBeLessThan(10 * 1024 * 1024);
    expect(createTarball.files.map((file) => file.path).sort()).toEqual(['LICENSE', 'README.md', 'index.js', 'package.json']);
  });

  it('declares no runtime dependency (everything `new` needs is bundled), doctor validators as optional peers, and no install script', async () => {
    const manifest = JSON.parse(await readFile(join(repoRoot, 'package.json'), 'utf8')) as Record<string, Record<string, unknown> | undefined>;
    expect(manifest.dependencies ?? {}).toEqual({});
    const peers = Object.keys(manifest.peerDependencies ?? {});
    expect(peers).toContain('kubernetes-models');
    for (const peer of peers) {
      expect(manifest.peerDependenciesMeta?.[peer]).toEqual({ optional: true });
      // mlforge's own install (npm ci) still has every validator, so its tests run them.
      expect(Object.keys(manifest.devDependencies ?? {})).toContain(peer);
    }
    for (const script of ['preinstall', 'install', 'postinstall', 'prepare']) expect(manifest.scripts?.[script]).toBeUndefined();
    const create = JSON.parse(await readFile(join(repoRoot, 'packages', 'create-mlforge', 'package.json'), 'utf8')) as {
      version: string;
      dependencies: Record<string, string>;
    };
    expect(create.dependencies).toEqual({ mlforge: String(manifest.version) });
  });

  it('installs globally into a clean prefix as one package under 10 MB, and `mlforge new` works from it', async () => {
    const prefix = join(work, 'global');
    const install = await execa('npm', ['install', '-g', '--prefix', prefix, '--no-audit', '--no-fund', '--offline', mlforgeTarball.filename], {
      env: npmEnv(cache),
      reject: false,
    });
    expect(install.exitCode, install.stderr).toBe(0);
    expect(install.stderr).not.toMatch(/install-scripts|prepare/);
    const modules = join(prefix, 'lib', 'node_modules');
    expect(await readdir(modules)).toEqual(['mlforge']);
    expect(await directorySize(modules)).toBeLessThan(10 * 1024 * 1024);

    const run = await execa(join(prefix, 'bin', 'mlforge'), ['new', 'pack-svc', '--yes', '--no-git', '--json'], { cwd: work, reject: false });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: true, answers: { name: 'pack-svc' } });
    expect((await stat(join(work, 'pack-svc', 'Dockerfile'))).isFile()).toBe(true);
  });

  it('`npx` of both tarballs runs create-mlforge, which forwards its arguments to `mlforge new`', async () => {
    const runDir = join(work, 'npx');
    await execa('mkdir', ['-p', runDir]);
    const npx = (args: string[]) =>
      execa(
        'npx',
        ['--yes', '--offline', `--package=${mlforgeTarball.filename}`, `--package=${createTarball.filename}`, '--', 'create-mlforge', ...args],
        { cwd: runDir, env: npmEnv(join(work, 'npx-cache')), reject: false, stdin: 'ignore', timeout: 120_000 },
      );
    const created = await npx(['npx-svc', '--cloud', 'gcp', '--yes', '--no-git', '--json']);
    expect(created.exitCode, created.stderr).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({ ok: true, answers: { name: 'npx-svc', cloud: 'gcp' } });
    expect((await stat(join(runDir, 'npx-svc', '.mlforge.yml'))).isFile()).toBe(true);

    // mlforge's exit codes come through: a bad answer is a usage error (2), nothing written.
    const rejected = await npx(['bad-svc', '--cloud', 'mars', '--yes', '--no-git']);
    expect(rejected.exitCode).toBe(2);
    expect(rejected.stderr).toMatch(/cloud/);
    await expect(stat(join(runDir, 'bad-svc'))).rejects.toThrow();
  });
});
