// Stand-ins for the images a generated Dockerfile starts from, made locally
// because no container registry is reachable here, and tagged with exactly the
// names its FROM and COPY --from lines use so that Dockerfile builds unchanged:
//
// - python:<patch>-slim-<debian>: a debootstrap'ed Debian bookworm (minbase plus
//   the libraries CPython links against, like the official slim image) with a
//   CPython of the same minor version copied from pyenv into /usr/local, where the
//   official image has it. Bookworm, not the tag's trixie, because the pyenv
//   builds here are linked against bookworm's libraries.
// - ghcr.io/astral-sh/uv:<version>: just /uv, the binary of the uv wheel on PATH
//   (the version must be the one the FROM line names).
//
// Each is made once, kept as a tarball under .cache/images keyed by everything
// that went into it, and imported into the engine's storage with that key as a
// label; reruns find it there in a second.

import { execa } from 'execa';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, copyFile, mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Engine } from './container-engine.js';
import { imageCache } from './container-engine.js';
import { findPython } from './python-env.js';

const suite = 'bookworm';
const mirror = process.env.MLFORGE_DEBIAN_MIRROR ?? 'http://deb.debian.org/debian';
// What python:<version>-slim installs besides minbase: CA certificates, netbase, tzdata and
// the shared libraries of CPython's extension modules (ssl, sqlite3, ctypes, lzma, bz2, zlib,
// uuid, pyexpat, readline, curses, nis).
const packages = ['ca-certificates', 'netbase', 'tzdata', 'libssl3', 'libsqlite3-0', 'libffi8', 'libbz2-1.0', 'liblzma5', 'libreadline8', 'libncursesw6', 'zlib1g', 'libuuid1', 'libexpat1', 'libnsl2'];
// Bumped when the recipe below changes, so cached tarballs are remade.
const recipe = '1';
// CAs this machine adds to the system store (an egress proxy's); the base gets them too, or
// `uv sync` inside the build cannot reach the package index through that proxy.
const localCaDir = '/usr/local/share/ca-certificates';
// Commands run inside the rootfs (debootstrap's second stage, chroot) see its /tmp, not the test
// file's TMPDIR (test/setup/scoped-tmpdir.ts), which does not exist there.
const inRootfs = { env: { TMPDIR: '/tmp' } };

export type StandInResult = { ok: true; images: string[]; seconds: number; made: string[] } | { ok: false; reason: string };

const digest = (...parts: Array<string | Buffer>) => {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part).update('\0');
  return hash.digest('hex').slice(0, 16);
};

/** The name podman stores an image reference under (short Docker Hub names get docker.io/library/). */
export function qualified(reference: string): string {
  const [first] = reference.split('/');
  if (reference.includes('/') && (first!.includes('.') || first!.includes(':') || first === 'localhost')) return reference;
  return reference.includes('/') ? `docker.io/${reference}` : `docker.io/library/${reference}`;
}

/** External images of a Dockerfile: FROM lines that are not earlier stages, and COPY --from=<image>. */
export function externalImages(dockerfile: string): string[] {
  const stages = new Set<string>();
  const images = new Set<string>();
  for (const line of dockerfile.split('\n')) {
    const from = /^FROM\s+(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?/i.exec(line);
    if (from) {
      if (!stages.has(from[1]!)) images.add(from[1]!);
      if (from[2]) stages.add(from[2]);
    }
    const copy = /^COPY\s+.*--from=(\S+)/i.exec(line);
    if (copy && !stages.has(copy[1]!)) images.add(copy[1]!);
  }
  return [...images];
}

async function localCas(): Promise<Array<{ name: string; data: Buffer }>> {
  if (!existsSync(localCaDir)) return [];
  const names = (await readdir(localCaDir)).filter((name) => name.endsWith('.crt')).sort();
  return Promise.all(names.map(async (name) => ({ name, data: await readFile(join(localCaDir, name)) })));
}

async function labelOf(engine: Engine, image: string): Promise<string | undefined> {
  const result = await engine.podman(['image', 'inspect', '--format', '{{index .Labels "org.mlforge.stand-in"}}', image], { reject: false });
  return result.exitCode === 0 ? String(result.stdout).trim() : undefined;
}

async function importTar(engine: Engine, tar: string, image: string, key: string, changes: string[]): Promise<void> {
  const flags = [...changes, `LABEL org.mlforge.stand-in=${key}`].flatMap((change) => ['--change', change]);
  await engine.podman(['import', ...flags, tar, qualified(image)]);
}

/** Writes `tar` atomically from `dir`'s contents (numeric owners, as an image layer has them). */
async function tarDir(dir: string, tar: string): Promise<void> {
  const partial = `${tar}.partial`;
  await execa('tar', ['-C', dir, '--numeric-owner', '-cf', partial, '.']);
  await rename(partial, tar);
}

/** The debootstrap'ed Debian tree as a tarball, made once (about two minutes) and shared by every Python. */
async function debianTar(cas: Array<{ name: string; data: Buffer }>): Promise<string> {
  const key = digest(recipe, suite, mirror, ...packages, ...cas.flatMap((ca) => [ca.name, ca.data]));
  const tar = join(imageCache, `debian-${suite}-${key}.tar`);
  if (existsSync(tar)) return tar;
  const work = await mkdtemp(join(imageCache, 'debootstrap-'));
  try {
    const rootfs = join(work, 'rootfs');
    const result = await execa('debootstrap', ['--variant=minbase', `--include=${packages.join(',')}`, suite, rootfs, mirror], { ...inRootfs, reject: false, all: true, stdin: 'ignore', timeout: 15 * 60_000 });
    if (result.exitCode !== 0) throw new Error(`debootstrap ${suite} from ${mirror} exited ${result.exitCode}:\n${String(result.all).slice(-3000)}`);
    for (const ca of cas) await writeFile(join(rootfs, localCaDir.slice(1), ca.name), ca.data);
    if (cas.length > 0) await execa('chroot', [rootfs, 'update-ca-certificates'], inRootfs);
    // Like the official slim images: no package lists, downloaded packages or documentation.
    for (const junk of ['var/cache/apt/archives', 'var/lib/apt/lists', 'usr/share/doc', 'usr/share/man']) {
      await rm(join(rootfs, junk), { recursive: true, force: true });
      await mkdir(join(rootfs, junk), { recursive: true });
    }
    await tarDir(rootfs, tar);
    return tar;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** The interpreter's prefix and full version; only a self-contained build (pyenv's) can be moved into an image. */
async function pythonBuild(version: string): Promise<{ prefix: string; full: string } | { reason: string }> {
  const interpreter = await findPython(version);
  if (!interpreter) return { reason: `Python ${version} not available (no pyenv ${version}.x, no python${version} on PATH)` };
  const script = 'import sys, platform; print(sys.base_prefix); print(platform.python_version())';
  const [prefix, full] = String((await execa(interpreter, ['-c', script])).stdout).trim().split('\n') as [string, string];
  if (['/usr', '/usr/local', '/'].includes(prefix)) return { reason: `a self-contained CPython ${version} not available (${interpreter} lives in ${prefix}, shared with the system; install one with pyenv)` };
  return { prefix, full };
}

/** The python:<...> stand-in's tarball: the Debian tree plus CPython `version` in /usr/local. */
async function pythonTar(version: string, debian: string, build: { prefix: string; full: string }): Promise<string> {
  const key = digest(recipe, debian, build.prefix, build.full);
  const tar = join(imageCache, `python-${build.full}-${key}.tar`);
  if (existsSync(tar)) return tar;
  const work = await mkdtemp(join(imageCache, 'python-'));
  try {
    const rootfs = join(work, 'rootfs');
    await mkdir(rootfs);
    await execa('tar', ['-C', rootfs, '-xf', debian]);
    const local = join(rootfs, 'usr', 'local');
    await execa('cp', ['-a', `${build.prefix}/.`, local]);
    // What the official image leaves out (tests, IDLE, Tk, the static library), then
    // scripts re-pointed from pyenv's prefix to /usr/local, and libpython found by ld.so.
    const lib = join(local, 'lib', `python${version}`);
    for (const dir of ['test', 'idlelib', 'tkinter', 'turtledemo', join('lib2to3', 'tests')]) await rm(join(lib, dir), { recursive: true, force: true });
    for (const entry of await readdir(lib)) {
      if (entry.startsWith('config-')) await rm(join(lib, entry, `libpython${version}.a`), { force: true });
    }
    const bin = join(local, 'bin');
    for (const name of await readdir(bin)) {
      const file = join(bin, name);
      const text = await readFile(file).catch(() => undefined);
      if (text?.subarray(0, 2).toString() === '#!' && text.includes(build.prefix)) {
        await writeFile(file, text.toString('utf8').replace(/^#!\S*\/bin\/python/, '#!/usr/local/bin/python'));
        await chmod(file, 0o755);
      }
    }
    await execa('chroot', [rootfs, '/sbin/ldconfig'], inRootfs);
    const check = await execa('chroot', [rootfs, `/usr/local/bin/python${version}`, '-c', 'import platform, ssl, sqlite3, ctypes, lzma, bz2, zlib, uuid; print(platform.python_version())'], { ...inRootfs, reject: false, all: true });
    if (String(check.stdout).trim() !== build.full) throw new Error(`the copied CPython ${build.full} does not run in the Debian tree:\n${String(check.all)}`);
    await tarDir(rootfs, tar);
    return tar;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** The ghcr.io/astral-sh/uv:<version> stand-in: a tarball of just /uv, from the uv on PATH. */
async function uvTar(version: string): Promise<string | { reason: string }> {
  const which = await execa('sh', ['-c', 'command -v uv'], { reject: false });
  const path = String(which.stdout).trim();
  if (which.exitCode !== 0 || !path) return { reason: `uv not available (on PATH: ${process.env.PATH})` };
  const reported = String((await execa(path, ['--version'])).stdout).trim().split(/\s+/)[1];
  if (reported !== version) return { reason: `uv ${version} not available (the uv on PATH, ${path}, is ${reported}; .ci/run installs the pinned one)` };
  const binary = await readFile(path);
  const tar = join(imageCache, `uv-${version}-${digest(recipe, binary)}.tar`);
  if (existsSync(tar)) return tar;
  const work = await mkdtemp(join(imageCache, 'uv-'));
  try {
    await copyFile(path, join(work, 'uv'));
    await chmod(join(work, 'uv'), 0o755);
    await tarDir(work, tar);
    return tar;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/**
 * Makes (or finds) a stand-in for every external image of `dockerfile`: python:* for
 * Python `version`, ghcr.io/astral-sh/uv:*. Any other image has no stand-in: an error,
 * since the Dockerfile then needs something this helper does not know how to make.
 */
export async function ensureStandIns(engine: Engine, dockerfile: string, version: string): Promise<StandInResult> {
  const started = performance.now();
  await mkdir(imageCache, { recursive: true });
  const images = externalImages(dockerfile);
  const made: string[] = [];
  for (const image of images) {
    const python = /^python:(\d+\.\d+)\.\d+-slim/.exec(image);
    const uv = /^ghcr\.io\/astral-sh\/uv:(\d+\.\d+\.\d+)$/.exec(image);
    if (python) {
      if (python[1] !== version) throw new Error(`${image} is not Python ${version}`);
      if (!existsSync('/usr/sbin/debootstrap') && (await execa('sh', ['-c', 'command -v debootstrap'], { reject: false })).exitCode !== 0) {
        return { ok: false, reason: 'debootstrap not available (apt-get install debootstrap; .ci/run installs it)' };
      }
      const build = await pythonBuild(version);
      if ('reason' in build) return { ok: false, reason: build.reason };
      const tar = await pythonTar(version, await debianTar(await localCas()), build);
      const key = tar.split('/').pop()!;
      if ((await labelOf(engine, image)) !== key) {
        // The official image's environment; SSL_CERT_FILE so uv (which trusts its own
        // bundled roots otherwise) also trusts the machine's CAs added above.
        await importTar(engine, tar, image, key, ['ENV PATH=/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin', 'ENV LANG=C.UTF-8', 'ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt', 'CMD ["python3"]']);
        made.push(image);
      }
    } else if (uv) {
      const tar = await uvTar(uv[1]!);
      if (typeof tar !== 'string') return { ok: false, reason: tar.reason };
      const key = tar.split('/').pop()!;
      if ((await labelOf(engine, image)) !== key) {
        await importTar(engine, tar, image, key, ['ENTRYPOINT ["/uv"]']);
        made.push(image);
      }
    } else {
      throw new Error(`no local stand-in for ${image} (the helper makes python:*-slim* and ghcr.io/astral-sh/uv:* only)`);
    }
  }
  return { ok: true, images, made, seconds: (performance.now() - started) / 1000 };
}
