// Python virtual environments for the suites that run a generated repository's
// own tools. One shared environment per Python version and requirement set,
// built once from the local wheel mirror under .cache/python/ and reused by
// every test file and run; each generated repository gets a thin child
// environment on top of it, so installing one project never disturbs another.
//
//   const shared = await ensurePythonEnv('3.11', requirements);
//   if (!shared.ok) return skip(shared.reason);         // "<what> not available"
//   const project = await projectEnv(shared.env, repoDir);  // pip install --no-deps -e repo

import { execa } from 'execa';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parse as parseToml } from 'smol-toml';

export interface PythonEnv {
  /** Python version as major.minor. */
  version: string;
  /** The environment's directory; `VENV=<dir>` for a generated Makefile. */
  dir: string;
  /** Its interpreter: run tools as `python -m <tool>`. */
  python: string;
}

export type PythonEnvResult = { ok: true; env: PythonEnv } | { ok: false; reason: string };

/** Where shared environments live (git-ignored); override with MLFORGE_PYTHON_CACHE. */
export const cacheRoot = resolve(process.env.MLFORGE_PYTHON_CACHE ?? join(import.meta.dirname, '..', '..', '.cache', 'python'));

/** Packages that no machine here can install (no wheels in the mirror, no PyPI). */
export const unavailablePackages = ['mlflow'];

// pip must not wait on an unreachable PyPI before falling back to the mirror.
const pipEnv = { PIP_RETRIES: '0', PIP_TIMEOUT: '5', PIP_DISABLE_PIP_VERSION_CHECK: '1', PIP_NO_INPUT: '1' };
const failureTtlMs = 60 * 60 * 1000;
const lockWaitMs = 10 * 60 * 1000;

/** An interpreter of `version` (major.minor): MLFORGE_PYTHON_<3_12>, pyenv, then python3.X on PATH. */
export async function findPython(version: string): Promise<string | undefined> {
  const candidates: string[] = [];
  const fromEnv = process.env[`MLFORGE_PYTHON_${version.replace('.', '_')}`];
  if (fromEnv) candidates.push(fromEnv);
  const pyenv = join(process.env.PYENV_ROOT ?? '/root/.pyenv', 'versions');
  if (existsSync(pyenv)) {
    for (const name of (await readdir(pyenv)).sort().reverse()) {
      if (name.startsWith(`${version}.`)) candidates.push(join(pyenv, name, 'bin', 'python'));
    }
  }
  candidates.push(`python${version}`);
  for (const candidate of candidates) {
    const result = await execa(candidate, ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])'], { reject: false, stdin: 'ignore' }).catch(() => undefined);
    if (result?.exitCode === 0 && String(result.stdout).trim() === version) return candidate;
  }
  return undefined;
}

/** The runtime and dev requirements a generated pyproject.toml declares, minus `unavailablePackages`. */
export function installableRequirements(pyprojectText: string): string[] {
  const project = (parseToml(pyprojectText) as { project?: { dependencies?: string[]; 'optional-dependencies'?: { dev?: string[] } } }).project ?? {};
  const all = [...(project.dependencies ?? []), ...(project['optional-dependencies']?.dev ?? [])];
  return all.filter((requirement) => !unavailablePackages.includes(requirementName(requirement)));
}

function requirementName(requirement: string): string {
  return requirement.split(/[\s<>=!~;[]/)[0]!.toLowerCase();
}

/**
 * The shared environment for `version` with `requirements` installed, built on
 * first use (a lock directory makes concurrent test files wait for one build).
 * A failed build is remembered for an hour so every file skips fast, with pip's reason.
 */
export async function ensurePythonEnv(version: string, requirements: readonly string[]): Promise<PythonEnvResult> {
  const key = createHash('sha256').update([version, ...[...requirements].sort()].join('\n')).digest('hex').slice(0, 12);
  const dir = join(cacheRoot, `${version}-${key}`);
  const env: PythonEnv = { version, dir, python: join(dir, 'bin', 'python') };
  const done = join(dir, '.mlforge-complete');
  const failed = `${dir}.failed`;
  await mkdir(cacheRoot, { recursive: true });
  const lock = `${dir}.lock`;
  await acquire(lock);
  try {
    if (existsSync(done)) return { ok: true, env };
    if (existsSync(failed) && Date.now() - (await stat(failed)).mtimeMs < failureTtlMs) {
      return { ok: false, reason: await readFile(failed, 'utf8') };
    }
    const base = await findPython(version);
    if (!base) return { ok: false, reason: `Python ${version} not available (no pyenv ${version}.x, no python${version} on PATH, MLFORGE_PYTHON_${version.replace('.', '_')} unset)` };
    await rm(dir, { recursive: true, force: true });
    const venv = await execa(base, ['-m', 'venv', dir], { stdin: 'ignore', reject: false });
    if (venv.exitCode !== 0) {
      const reason = `a virtual environment for Python ${version} not available (${base} -m venv: ${String(venv.stderr).trim().split('\n').pop()})`;
      await writeFile(failed, reason);
      return { ok: false, reason };
    }
    const install = await execa(env.python, ['-m', 'pip', 'install', '--quiet', ...requirements], { reject: false, stdin: 'ignore', env: pipEnv, timeout: 15 * 60_000 });
    if (install.exitCode !== 0) {
      const why = String(install.stderr).split('\n').filter((line) => /ERROR|error:/.test(line)).slice(0, 2).join(' ').trim();
      const reason = `packages for Python ${version} not available from the package index (${why || `pip exited ${install.exitCode}`})`;
      await writeFile(failed, reason);
      await rm(dir, { recursive: true, force: true });
      return { ok: false, reason };
    }
    await rm(failed, { force: true });
    await writeFile(done, `${requirements.join('\n')}\n`);
    return { ok: true, env };
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}

/**
 * A child environment for one generated repository: its own site-packages (the
 * editable install of the project) in front of the shared one's (a .pth file).
 */
export async function projectEnv(shared: PythonEnv, repoDir: string): Promise<PythonEnv> {
  const dir = join(repoDir, '.venv');
  const base = String((await execa(shared.python, ['-c', 'import sys; print(sys._base_executable)'], { stdin: 'ignore' })).stdout).trim();
  await execa(base, ['-m', 'venv', '--without-pip', dir], { stdin: 'ignore' });
  const python = join(dir, 'bin', 'python');
  const sitePackages = async (interpreter: string) =>
    String((await execa(interpreter, ['-c', 'import sysconfig; print(sysconfig.get_paths()["purelib"])'], { stdin: 'ignore' })).stdout).trim();
  await writeFile(join(await sitePackages(python), 'mlforge-shared.pth'), `${await sitePackages(shared.python)}\n`);
  await execa(shared.python, ['-m', 'pip', '--python', python, 'install', '--quiet', '--no-deps', '-e', repoDir], { stdin: 'ignore', env: pipEnv, timeout: 5 * 60_000 });
  // Tools that look for .venv/bin/<tool> (mlforge doctor's ruff check) find the shared ones.
  for (const tool of ['ruff', 'mypy', 'pytest']) {
    const target = join(shared.dir, 'bin', tool);
    if (existsSync(target)) await symlink(target, join(dir, 'bin', tool));
  }
  return { version: shared.version, dir, python };
}

/** Waits for and takes a lock directory; a lock older than the wait limit is considered abandoned. */
async function acquire(lock: string): Promise<void> {
  const started = Date.now();
  for (;;) {
    try {
      await mkdir(lock);
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const age = Date.now() - (await stat(lock).catch(() => ({ mtimeMs: Date.now() }))).mtimeMs;
      if (age > lockWaitMs) await rm(lock, { recursive: true, force: true });
      else if (Date.now() - started > lockWaitMs) throw new Error(`timed out waiting for ${lock}`);
      else await new Promise((done) => setTimeout(done, 1000));
    }
  }
}
