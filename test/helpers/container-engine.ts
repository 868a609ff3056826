// A real container engine for the image suites: rootful Podman 4 (its `build`
// is Buildah), daemonless, with its own storage under .cache/images (or
// MLFORGE_IMAGE_CACHE) so it never touches the machine's containers and keeps
// the stand-in base images between runs.
//
// Podman rather than Docker: docker's BuildKit always pulls the frontend named
// by the Dockerfile's `# syntax=docker/dockerfile:1` line, and no registry is
// reachable here; Buildah reads that line as the comment it is to every other
// builder and builds the rest (RUN --mount=type=cache, COPY --from=<image>)
// unchanged.
//
//   const engine = await findEngine();
//   if (!engine.ok) return skip(engine.reason);   // "<what> not available (<why>)"
//   await engine.engine.podman(['build', '--pull=never', ...]);

import { execa, type Options, type Result } from 'execa';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { lstat, mkdir, readlink, rm, symlink } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';

/** Where the base images and the engine's storage live (git-ignored); override with MLFORGE_IMAGE_CACHE. */
export const imageCache = resolve(process.env.MLFORGE_IMAGE_CACHE ?? join(import.meta.dirname, '..', '..', '.cache', 'images'));

export interface Engine {
  /** `podman <global flags> ...args`; rejects with podman's output on a non-zero exit. */
  podman(args: string[], options?: Options): Promise<Result>;
  /** `--ulimit` flags every container needs here (see `ulimitFlags`). */
  ulimits: string[];
  /** Environment of every podman call (TMPDIR holds Buildah's RUN --mount=type=cache directories). */
  env: Record<string, string>;
  /**
   * Backs the Dockerfile's `RUN --mount=type=cache,target=<target>` (no id) with `hostDir`:
   * Buildah keeps that cache in $TMPDIR/buildah-cache/<target>, made a link to `hostDir` here,
   * so a build reuses what the host already downloaded into the same kind of cache.
   */
  shareCacheMount(target: string, hostDir: string): Promise<void>;
  version: string;
}

export type EngineResult = { ok: true; engine: Engine } | { ok: false; reason: string };

/** Hard limit of `resource` in /proc/self/limits ("Max open files" ...), or undefined when unlimited or unknown. */
function hardLimit(name: string): number | undefined {
  const line = readFileSync('/proc/self/limits', 'utf8').split('\n').find((row) => row.startsWith(name));
  const hard = line?.slice(26).trim().split(/\s+/)[1];
  return hard && /^\d+$/.test(hard) ? Number(hard) : undefined;
}

/**
 * Podman gives containers RLIMIT_NOFILE 1048576 and RLIMIT_NPROC 4194304 unless told
 * otherwise, and raising a hard limit needs CAP_SYS_RESOURCE, which sandboxed
 * machines (this one) withhold from root: runc then fails with "error setting
 * rlimit type 7". The limits the engine itself runs with are always allowed:
 * open files as this process has them, processes at most 32768 (what conmon runs
 * with here, lower than the shell's).
 */
export function ulimitFlags(): string[] {
  const files = hardLimit('Max open files');
  const processes = Math.min(hardLimit('Max processes') ?? 32768, 32768);
  return [...(files ? ['--ulimit', `nofile=${files}:${files}`] : []), '--ulimit', `nproc=${processes}:${processes}`];
}

async function fsType(dir: string): Promise<string> {
  const result = await execa('stat', ['-f', '-c', '%T', dir], { reject: false });
  return String(result.stdout).trim();
}

/**
 * Podman with private storage, or why not: not root (rootless Podman needs subuid
 * ranges and fuse-overlayfs, which CI does not set up), no podman or runc binary.
 */
export async function findEngine(): Promise<EngineResult> {
  if (process.getuid?.() !== 0) return { ok: false, reason: `a rootful container engine not available (running as uid ${process.getuid?.()}, podman here needs root)` };
  const version = await execa('podman', ['--version'], { reject: false, stdin: 'ignore' }).catch(() => undefined);
  if (version?.exitCode !== 0) return { ok: false, reason: 'podman not available (apt-get install podman; .ci/run installs it)' };
  const runtime = await execa('runc', ['--version'], { reject: false, stdin: 'ignore' }).catch(() => undefined);
  if (runtime?.exitCode !== 0) return { ok: false, reason: 'runc not available (podman has no OCI runtime to start containers with)' };

  const root = join(imageCache, 'podman');
  await mkdir(root, { recursive: true });
  // Run state and libpod's temporary directory at short fixed paths: conmon's
  // attach sockets must fit in a unix socket path (108 bytes), and podman refuses a
  // storage whose database remembers other paths.
  const short = join('/run', `mlforge-podman-${createHash('sha256').update(root).digest('hex').slice(0, 8)}`);
  const tmp = join(imageCache, 'tmp');
  await mkdir(tmp, { recursive: true });
  // overlay on overlayfs (a cache inside a container) fails; vfs always works, slower.
  const driver = process.env.MLFORGE_STORAGE_DRIVER ?? ((await fsType(root)) === 'overlayfs' ? 'vfs' : 'overlay');
  const global = ['--root', root, '--runroot', join(short, 'run'), '--tmpdir', join(short, 'tmp'), '--storage-driver', driver, '--cgroup-manager', 'cgroupfs', '--events-backend', 'file'];
  const env = { TMPDIR: tmp };
  const podman = (args: string[], options: Options = {}) =>
    execa('podman', [...global, ...args], { all: true, stdin: 'ignore', ...options, env: { ...env, ...options.env } }).catch((error: unknown) => {
      const failed = error as { all?: string; shortMessage?: string };
      throw new Error(`podman ${args.join(' ')} failed: ${failed.shortMessage ?? String(error)}\n${String(failed.all ?? '').slice(-4000)}`);
    }) as Promise<Result>;
  const shareCacheMount = async (target: string, hostDir: string) => {
    const link = join(tmp, 'buildah-cache', target);
    const current = await lstat(link).catch(() => undefined);
    if (current?.isSymbolicLink() && (await readlink(link)) === hostDir) return;
    await rm(link, { recursive: true, force: true });
    await mkdir(dirname(link), { recursive: true });
    await mkdir(hostDir, { recursive: true });
    await symlink(hostDir, link);
  };
  return { ok: true, engine: { podman, ulimits: ulimitFlags(), env, shareCacheMount, version: String(version.stdout).trim() } };
}
