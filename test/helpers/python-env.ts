// Python environments for the suites that run a generated repository's own
// tools: the repository's own `make install` (uv sync --locked, so exactly the
// versions of its committed uv.lock, from the package index) builds its .venv
// with the requested Python. One uv cache (.cache/uv, or MLFORGE_UV_CACHE) is
// shared by every repository, test file and run: the first install of a
// dependency set downloads, later ones link from the cache in seconds.
//
//   const installed = await makeInstall(repoDir, '3.12');
//   if (!installed.ok) return skip(installed.reason);     // "<what> not available (<why>)"
//   await execa('make', ['check'], { cwd: repoDir, env: installed.env.makeEnv });

import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { mkdir, readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';

export interface PythonEnv {
  /** Python version as major.minor. */
  version: string;
  /** The environment's directory (the repository's .venv). */
  dir: string;
  /** Its interpreter. */
  python: string;
  /** Environment for `make <target>` in the repository: the same uv cache and interpreter. */
  makeEnv: Record<string, string>;
}

export type PythonEnvResult = { ok: true; env: PythonEnv; seconds: number } | { ok: false; reason: string };

/** The shared uv cache (git-ignored); override with MLFORGE_UV_CACHE. */
export const uvCache = resolve(process.env.MLFORGE_UV_CACHE ?? join(import.meta.dirname, '..', '..', '.cache', 'uv'));

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

/** Variables that make uv use the shared cache and exactly `interpreter`, never a downloaded Python. */
export function uvVariables(interpreter: string): Record<string, string> {
  return { UV_CACHE_DIR: uvCache, UV_PYTHON: interpreter, UV_PYTHON_DOWNLOADS: 'never', UV_NO_PROGRESS: '1', UV_LINK_MODE: 'hardlink' };
}

/**
 * Runs the repository's own `make install` for Python `version` and returns its
 * .venv. Fails (with make's last lines) when uv, make or the interpreter is missing
 * or the install fails; callers skip only on a missing tool, never on a failed install.
 */
export async function makeInstall(repoDir: string, version: string): Promise<PythonEnvResult> {
  const interpreter = await findPython(version);
  if (!interpreter) return { ok: false, reason: `Python ${version} not available (no pyenv ${version}.x, no python${version} on PATH, MLFORGE_PYTHON_${version.replace('.', '_')} unset)` };
  for (const [tool, args] of [['uv', ['--version']], ['make', ['--version']]] as const) {
    const found = await execa(tool, [...args], { reject: false, stdin: 'ignore' }).catch(() => undefined);
    if (found?.exitCode !== 0) return { ok: false, reason: `${tool} not available (on PATH: ${process.env.PATH})` };
  }
  await mkdir(uvCache, { recursive: true });
  const makeEnv = { ...uvVariables(interpreter), PYTHON_BIN: interpreter };
  const started = performance.now();
  const result = await execa('make', ['install'], { cwd: repoDir, reject: false, all: true, stdin: 'ignore', env: makeEnv, timeout: 20 * 60_000 });
  if (result.exitCode !== 0) throw new Error(`make install (Python ${version}) in ${repoDir} exited ${result.exitCode}:\n${String(result.all).slice(-3000)}`);
  const dir = join(repoDir, '.venv');
  return { ok: true, seconds: (performance.now() - started) / 1000, env: { version, dir, python: join(dir, 'bin', 'python'), makeEnv } };
}
