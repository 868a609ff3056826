// The git post-step of `mlforge new`, through the built CLI with real git and
// real signals: the commit made by fast-import equal to what `git add --all`
// would record, the user's config honoured but not its hooks,
// no inherited GIT_* variable steering it, and an interrupt or a closed stdout
// never leaving a half-made repository.

import { execa } from 'execa';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, mlforge, snapshotTree, tempDir } from '../helpers/cli.js';

const realGit = (() => {
  try {
    return execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim();
  } catch {
    return '';
  }
})();
if (!realGit) console.log('skipped: git not available (the git post-step needs it)');

/** A `git` on PATH that logs each invocation and, when asked, pauses or fails on `git fast-import`. */
async function gitWrapper(): Promise<{ bin: string; log: string; marker: string }> {
  const bin = await tempDir('mlforge-gitwrap-');
  const log = join(bin, 'invocations.log');
  const marker = join(bin, 'import-started');
  await writeFile(
    join(bin, 'git'),
    `#!/bin/sh
printf '%s\\n' "$*" >> '${log}'
case " $* " in
  *" fast-import "*)
    [ -n "$TEST_GIT_IMPORT_FAILS" ] && { echo 'fatal: simulated failure' >&2; exit 1; }
    [ -n "$TEST_GIT_IMPORT_PAUSE" ] && { : > '${marker}'; sleep "$TEST_GIT_IMPORT_PAUSE"; } ;;
esac
exec '${realGit}' "$@"
`,
    { mode: 0o755 },
  );
  return { bin, log, marker };
}

/** An isolated git configuration: no system config, a global file of our own, identity set unless told otherwise. */
async function gitHome(globalConfig = '[user]\n\tname = Test User\n\temail = test@example.com\n') {
  const home = await tempDir('mlforge-githome-');
  await writeFile(join(home, '.gitconfig'), globalConfig);
  return { HOME: home, GIT_CONFIG_GLOBAL: join(home, '.gitconfig'), GIT_CONFIG_NOSYSTEM: '1', XDG_CONFIG_HOME: home };
}

const git = (cwd: string, args: string[], env: Record<string, string> = {}) =>
  execa(realGit, args, { cwd, env: { ...env, GIT_CONFIG_NOSYSTEM: '1' }, extendEnv: false, reject: false });

/** The git subcommand of a logged invocation: the first word that is not a global option or its value. */
function subcommand(line: string): string | undefined {
  const words = line.split(' ');
  for (let i = 0; i < words.length; i++) {
    if (['-c', '--git-dir', '--work-tree'].includes(words[i]!)) i++;
    else if (!words[i]!.startsWith('-')) return words[i];
  }
  return undefined;
}

/** The logged subcommands in order, the ones that run in parallel between init and fast-import as one sorted group. */
function steps(lines: string[]): Array<string | string[]> {
  const names = lines.map((line) => subcommand(line) ?? '');
  const first = names.indexOf('init');
  const importAt = names.indexOf('fast-import');
  return [...names.slice(0, first + 1), names.slice(first + 1, importAt).sort(), ...names.slice(importAt)];
}

const leftovers = async (dir: string) => (await readdir(dir)).filter((name) => name.startsWith('.mlforge-git-'));

async function waitFor(path: string): Promise<void> {
  for (let i = 0; i < 400 && !existsSync(path); i++) await new Promise((done) => setTimeout(done, 25));
  if (!existsSync(path)) throw new Error(`timed out waiting for ${path}`);
}

async function expectCommitted(target: string, branch = 'main') {
  expect((await git(target, ['rev-parse', '--abbrev-ref', 'HEAD'])).stdout).toBe(branch);
  expect((await git(target, ['log', '--format=%s'])).stdout).toMatch(/^Initial commit from mlforge \S+$/);
  expect((await git(target, ['status', '--porcelain'])).stdout).toBe('');
  expect(await leftovers(target)).toEqual([]);
}

async function expectStateBeforeGit(target: string) {
  expect(existsSync(join(target, '.git'))).toBe(false);
  expect(await leftovers(target)).toEqual([]);
  expect(existsSync(join(target, '.mlforge.yml'))).toBe(true);
  expect(existsSync(join(target, 'pyproject.toml'))).toBe(true);
}

describe.skipIf(!realGit)('git post-step of mlforge new', () => {
  beforeAll(assertBuilt);

  it('init, identities and branch asked in parallel, fast-import, reset; honours init.defaultBranch and the user identity, runs no hook', async () => {
    const { bin, log } = await gitWrapper();
    const hooks = await tempDir('mlforge-hooks-');
    const ran = join(hooks, 'ran');
    for (const hook of ['pre-commit', 'prepare-commit-msg', 'commit-msg', 'post-commit', 'post-index-change']) {
      await writeFile(join(hooks, hook), `#!/bin/sh\necho ${hook} >> '${ran}'\n`, { mode: 0o755 });
    }
    const template = await tempDir('mlforge-gittemplate-');
    await mkdir(join(template, 'hooks'));
    await writeFile(join(template, 'hooks', 'post-commit'), `#!/bin/sh\necho template-post-commit >> '${ran}'\n`, { mode: 0o755 });
    const env = await gitHome(
      `[user]\n\tname = Test User\n\temail = test@example.com\n[init]\n\tdefaultBranch = trunk\n\ttemplateDir = ${template}\n`,
    );
    const parent = await tempDir('mlforge-git-');
    const target = join(parent, 'svc');
    const result = await mlforge(['new', target, '--yes', '--name', 'git-svc', '--json'], { env: { ...env, PATH: `${bin}:${process.env.PATH}` } });
    expect(result.exitCode, String(result.stderr)).toBe(0);
    const json = JSON.parse(String(result.stdout)) as { git: { status: string; branch: string; commit: string } };
    expect(json.git).toMatchObject({ status: 'committed', branch: 'trunk' });
    await expectCommitted(target, 'trunk');
    expect((await git(target, ['rev-parse', '--short', 'HEAD'])).stdout).toBe(json.git.commit);
    expect((await git(target, ['log', '--format=%an <%ae>|%cn <%ce>'])).stdout).toBe('Test User <test@example.com>|Test User <test@example.com>');
    // `git config --global user.name` is the author default, asked before any question, not the post-step.
    const invocations = (await readFile(log, 'utf8')).trim().split('\n').filter((line) => !/^config --global user\.name/.test(line));
    expect(steps(invocations)).toEqual(['init', ['symbolic-ref', 'var', 'var'], 'fast-import', 'reset']);
    expect(existsSync(ran), existsSync(ran) ? await readFile(ran, 'utf8') : '').toBe(false);
    // The template's hook is the user's: installed in the repository, only not run for mlforge's commit.
    expect(existsSync(join(target, '.git', 'hooks', 'post-commit'))).toBe(true);

    // The same with hooks configured globally through core.hooksPath.
    const viaHooksPath = await gitHome(`[user]\n\tname = Test User\n\temail = test@example.com\n[core]\n\thooksPath = ${hooks}\n`);
    const second = await mlforge(['new', join(parent, 'svc-2'), '--yes', '--name', 'git-svc'], { env: viaHooksPath });
    expect(second.exitCode, String(second.stderr)).toBe(0);
    await expectCommitted(join(parent, 'svc-2'), 'master');
    expect(existsSync(ran)).toBe(false);
  });

  it('is not steered by inherited GIT_* variables and never touches the repository they point to', async () => {
    const other = await tempDir('mlforge-other-repo-');
    const env = await gitHome();
    await git(other, ['init', '--quiet'], env);
    await writeFile(join(other, 'kept.txt'), 'theirs\n');
    await git(other, ['add', 'kept.txt'], env);
    await git(other, ['commit', '--quiet', '-m', 'theirs'], env);
    const before = await snapshotTree(join(other, '.git'));
    const parent = await tempDir('mlforge-git-');
    const target = join(parent, 'svc');
    const steering = {
      GIT_DIR: join(other, '.git'),
      GIT_WORK_TREE: other,
      GIT_INDEX_FILE: join(other, '.git', 'index'),
      GIT_OBJECT_DIRECTORY: join(other, '.git', 'objects'),
      GIT_ALTERNATE_OBJECT_DIRECTORIES: join(other, '.git', 'objects'),
      GIT_COMMON_DIR: join(other, '.git'),
      GIT_NAMESPACE: 'steered',
      GIT_CEILING_DIRECTORIES: '/',
      GIT_CONFIG_PARAMETERS: "'user.name'='Steered' 'init.defaultbranch'='steered'",
      GIT_CONFIG_COUNT: '1',
      GIT_CONFIG_KEY_0: 'user.email',
      GIT_CONFIG_VALUE_0: 'steered@example.com',
    };
    const result = await mlforge(['new', target, '--yes', '--name', 'git-svc'], { env: { ...env, ...steering } });
    expect(result.exitCode, String(result.stderr)).toBe(0);
    await expectCommitted(target, 'master');
    expect((await git(target, ['log', '--format=%an <%ae>'])).stdout).toBe('Test User <test@example.com>');
    expect(await snapshotTree(join(other, '.git'))).toEqual(before);
    expect((await git(other, ['log', '--format=%s'], env)).stdout).toBe('theirs');
  });

  it('commits exactly the files mlforge wrote, as `git add --all` would record them; files already there stay untracked', async () => {
    const env = await gitHome();
    const target = join(await tempDir('mlforge-git-'), 'svc');
    await mkdir(target);
    await writeFile(join(target, 'notes.txt'), 'mine\n');
    await writeFile(join(target, '.env'), 'SECRET=1\n');
    const result = await mlforge(['new', target, '--yes', '--name', 'git-svc', '--force'], { env });
    expect(result.exitCode, String(result.stderr)).toBe(0);
    const provenance = (await readFile(join(target, '.mlforge.yml'), 'utf8')).match(/^ {2}\S+: sha256:/gm) ?? [];
    const tracked = (await git(target, ['ls-files'], env)).stdout.split('\n');
    expect(tracked).toHaveLength(provenance.length + 1); // the recorded files and .mlforge.yml itself
    expect(tracked).not.toContain('notes.txt');
    expect(tracked).not.toContain('.env');
    // .env is ignored by the generated .gitignore; notes.txt is left for the user to add.
    expect((await git(target, ['status', '--porcelain'], env)).stdout).toBe('?? notes.txt');
    // The same tree as `git add --all` of those files (contents, modes and the .gitattributes normalisation).
    const index = join(await tempDir('mlforge-index-'), 'index');
    const added = await git(target, ['add', '--all', '--', '.', ':!notes.txt'], { ...env, GIT_INDEX_FILE: index });
    expect(added.exitCode, String(added.stderr)).toBe(0);
    const tree = (await git(target, ['write-tree'], { ...env, GIT_INDEX_FILE: index })).stdout;
    expect(tree).toBe((await git(target, ['rev-parse', 'HEAD^{tree}'], env)).stdout);
    expect((await git(target, ['ls-files', '-s', 'deploy/k8s/render-overlays.sh'], env)).stdout).toMatch(/^100755 /);
  });

  it('skips inside an existing repository, found from the file system even when GIT_CEILING_DIRECTORIES hides it', async () => {
    const parent = await tempDir('mlforge-git-');
    const env = await gitHome();
    await git(parent, ['init', '--quiet'], env);
    const target = join(parent, 'nested', 'svc');
    const result = await mlforge(['new', target, '--yes', '--name', 'git-svc'], { env: { ...env, GIT_CEILING_DIRECTORIES: parent } });
    expect(result.exitCode, String(result.stderr)).toBe(0);
    // Reported once, as a line of the run (not a warning): skipping inside a repository is by design.
    expect(`${result.stdout}${result.stderr}`).toContain('inside an existing git repository');
    expect(existsSync(join(target, '.git'))).toBe(false);
    expect(await leftovers(target)).toEqual([]);
    expect((await git(parent, ['status', '--porcelain'], env)).stdout).toBe('?? nested/');
  });

  it('falls back to mlforge <mlforge@localhost> only when no identity is configured, never one guessed from the host', async () => {
    const { bin, log } = await gitWrapper();
    const env = await gitHome('');
    const parent = await tempDir('mlforge-git-');
    const target = join(parent, 'svc');
    const result = await mlforge(['new', target, '--yes', '--name', 'git-svc'], {
      env: { ...env, PATH: `${bin}:${process.env.PATH}`, EMAIL: '' },
    });
    expect(result.exitCode, String(result.stderr)).toBe(0);
    await expectCommitted(target, 'master');
    expect((await git(target, ['log', '--format=%an <%ae>'])).stdout).toBe('mlforge <mlforge@localhost>');
    // init; both `git var` refused for want of an identity, then asked again with the fallback; the commit.
    const calls = (await readFile(log, 'utf8')).trim().split('\n').filter((line) => !/^config --global user\.name/.test(line));
    expect(steps(calls)).toEqual(['init', ['symbolic-ref', 'var', 'var', 'var', 'var'], 'fast-import', 'reset']);
    expect(calls.filter((line) => / var /.test(` ${line} `) && line.includes('user.email=mlforge@localhost'))).toHaveLength(2);
  });

  it('a failing git step leaves the files and no repository: a warning, exit 0', async () => {
    const { bin } = await gitWrapper();
    const parent = await tempDir('mlforge-git-');
    const target = join(parent, 'svc');
    const result = await mlforge(['new', target, '--yes', '--name', 'git-svc'], {
      env: { ...(await gitHome()), PATH: `${bin}:${process.env.PATH}`, TEST_GIT_IMPORT_FAILS: '1' },
    });
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(result.stderr).toContain('warning: git failed: git fast-import: fatal: simulated failure');
    await expectStateBeforeGit(target);
  });

  for (const [how, signal, code] of [
    ['SIGTERM to mlforge alone', 'SIGTERM', 143],
    ['SIGINT to mlforge alone', 'SIGINT', 130],
    ['Ctrl-C (SIGINT to the whole process group, git included)', 'SIGINT', 130],
  ] as const) {
    it(`${how} during git: exit ${code} promptly, the files stay, no .git and nothing else is left`, async () => {
      const { bin, marker } = await gitWrapper();
      const parent = await tempDir('mlforge-git-');
      const target = join(parent, 'svc');
      const group = how.startsWith('Ctrl-C');
      const child = mlforge(['new', target, '--yes', '--name', 'git-svc'], {
        env: { ...(await gitHome()), PATH: `${bin}:${process.env.PATH}`, TEST_GIT_IMPORT_PAUSE: '20' },
        detached: group,
      });
      await waitFor(marker);
      const sent = Date.now();
      if (group) process.kill(-child.pid!, signal);
      else child.kill(signal);
      const result = await child;
      expect(result.exitCode, String(result.stderr)).toBe(code);
      expect(Date.now() - sent).toBeLessThan(10_000); // not the 20 s the paused git would take
      expect(result.stderr).toContain(`Interrupted by ${signal}.`);
      expect(result.stderr).not.toMatch(/nothing was written|\n\s+at /);
      await expectStateBeforeGit(target);
    });
  }

  it('stdout closed at once (EPIPE) or full (/dev/full): git still finishes, exit 0, no stack trace', async () => {
    const env = await gitHome();
    const parent = await tempDir('mlforge-git-');
    const closed = mlforge(['new', join(parent, 'closed'), '--yes', '--name', 'git-svc'], { env });
    closed.stdout!.destroy();
    const result = await closed;
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(String(result.stderr)).not.toMatch(/EPIPE|\n\s+at /);
    await expectCommitted(join(parent, 'closed'), 'master');

    const onFull = await mlforge(['new', join(parent, 'full'), '--yes', '--name', 'git-svc'], { env, stdout: { file: '/dev/full' } });
    expect(onFull.exitCode, String(onFull.stderr)).toBe(0);
    expect(String(onFull.stderr)).not.toMatch(/ENOSPC|\n\s+at /);
    await expectCommitted(join(parent, 'full'), 'master');
  });
});
