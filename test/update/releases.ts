// Real releases for update tests: mlforge built from another source tree.
// `releaseFromGit(rev)` builds a recorded commit (0.1.0 is b65f364);
// `releaseWith(version, edit)` builds this tree with edited templates as a new
// version. Each is a real CLI with its own templates and template history.

import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { cp, mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../helpers/cli.js';

export interface Release {
  root: string;
  bin: string;
  version: string;
}

const cacheRoot = join(tmpdir(), `mlforge-update-releases-${process.pid}`);

async function buildIn(root: string): Promise<void> {
  if (!existsSync(join(root, 'node_modules'))) await symlink(join(repoRoot, 'node_modules'), join(root, 'node_modules'));
  await execa('node', ['scripts/build.mjs'], { cwd: root, timeout: 120_000 });
}

export async function releaseFromGit(rev: string): Promise<Release | undefined> {
  const has = await execa('git', ['-C', repoRoot, 'cat-file', '-e', `${rev}^{commit}`], { reject: false });
  if (has.exitCode !== 0) return undefined;
  const root = join(cacheRoot, `git-${rev}`);
  if (!existsSync(join(root, 'dist', 'cli.js'))) {
    await mkdir(root, { recursive: true });
    const archive = await execa('git', ['-C', repoRoot, 'archive', '--format=tar', rev], { encoding: 'buffer', maxBuffer: 256 * 1024 * 1024 });
    await execa('tar', ['-x', '-C', root], { input: archive.stdout as Uint8Array });
    await buildIn(root);
  }
  const version = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')).version as string;
  return { root, bin: join(root, 'bin', 'mlforge.js'), version };
}

/** This tree as release `version`, after `edit(templatesDir)` changed its templates. */
export async function releaseWith(version: string, key: string, edit: (templates: string) => Promise<void>): Promise<Release> {
  const root = join(cacheRoot, `${version}-${key}`);
  if (!existsSync(join(root, 'dist', 'cli.js'))) {
    await mkdir(root, { recursive: true });
    for (const part of ['bin', 'scripts', 'src', 'templates', 'package.json', 'tsconfig.json']) {
      await cp(join(repoRoot, part), join(root, part), { recursive: true });
    }
    const pkgPath = join(root, 'package.json');
    const pkg = JSON.parse(await readFile(pkgPath, 'utf8'));
    pkg.version = version;
    await writeFile(pkgPath, `${JSON.stringify(pkg, null, 2)}\n`);
    await edit(join(root, 'templates'));
    await buildIn(root);
    // The release records its own templates in its history, as a release does.
    await execa('node', ['scripts/snapshot-templates.mjs'], { cwd: root, timeout: 120_000 });
  }
  return { root, bin: join(root, 'bin', 'mlforge.js'), version };
}

/** Replaces line `number` (1-based) of a template file. */
export async function replaceLine(file: string, number: number, text: string): Promise<void> {
  const lines = (await readFile(file, 'utf8')).split('\n');
  lines[number - 1] = text;
  await writeFile(file, lines.join('\n'));
}
