// Loads templates/ from disk: the file tree (templates/files), the manifest
// rules (templates/manifest/*.yml) and pinned versions (templates/versions/*.yml).

import { readdir, readFile, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import type { Versions } from '../derive.js';
import { templateFingerprint } from '../plan/provenance.js';
import { parseFacts, type FactRow } from './facts-table.js';
import { parseManifest, type ManifestRule } from './manifest.js';
import { createRenderer, type RenderFunction } from './renderer.js';

export interface TemplateFile {
  /** Path under templates/files, with forward slashes. */
  path: string;
  executable: boolean;
}

export interface TemplateSet {
  /** Where the templates came from (a templates/ folder, or the bundle built into dist/). */
  root: string;
  files: TemplateFile[];
  rules: ManifestRule[];
  versions: Versions;
  /** Template sources by path, and partials (templates/partials/NAME.hbs, used as `{{> NAME}}`); empty for the bundle. */
  sources: Record<string, string>;
  partials: Record<string, string>;
  /** Returns the render function of one of `files`. */
  compile(file: TemplateFile): RenderFunction;
  /** `sha256:` fingerprint of the whole set (recorded in `.mlforge.yml`; see templateFingerprint). */
  fingerprint?: string;
  /**
   * Where each derived value appears in what these templates render (templates/facts.yml, read by
   * doctor). Not part of the fingerprint: it describes the templates and changes nothing they write.
   * Absent for snapshots of earlier releases.
   */
  facts?: FactRow[];
}

/** The package's templates/ folder, found above this module (dist/ when bundled, src/ in tests). */
export function defaultTemplatesRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'templates', 'manifest'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the templates/ folder of the mlforge package');
    dir = parent;
  }
  return join(dir, 'templates');
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

async function readYamlDir(dir: string): Promise<Array<{ name: string; data: unknown; text: string }>> {
  const names = (await readdir(dir)).filter((name) => name.endsWith('.yml')).sort();
  return Promise.all(
    names.map(async (name) => {
      const text = await readFile(join(dir, name), 'utf8');
      return { name, data: parseYaml(text) as unknown, text };
    }),
  );
}

export async function loadTemplateSet(root: string): Promise<TemplateSet> {
  const filesDir = join(root, 'files');
  const paths = await listFiles(filesDir);
  const sources: Record<string, string> = {};
  const files = await Promise.all(
    paths.map(async (absolute) => {
      const path = relative(filesDir, absolute).split(sep).join('/');
      sources[path] = await readFile(absolute, 'utf8');
      return { path, executable: ((await stat(absolute)).mode & 0o111) !== 0 };
    }),
  );
  const manifest = await readYamlDir(join(root, 'manifest'));
  const rules = manifest.flatMap(({ name, data }) => parseManifest(`templates/manifest/${name}`, data));
  const versions: Versions = {};
  const versionFiles = await readYamlDir(join(root, 'versions'));
  for (const { name, data } of versionFiles) {
    versions[name.replace(/\.yml$/, '')] = (data ?? {}) as Record<string, unknown>;
  }
  const partialsDir = join(root, 'partials');
  const partials: Record<string, string> = {};
  for (const absolute of existsSync(partialsDir) ? await listFiles(partialsDir) : []) {
    const name = relative(partialsDir, absolute).split(sep).join('/').replace(/\.hbs$/, '');
    partials[name] = await readFile(absolute, 'utf8');
  }
  const factsPath = join(root, 'facts.yml');
  const facts = existsSync(factsPath) ? parseFacts('templates/facts.yml', parseYaml(await readFile(factsPath, 'utf8'))) : undefined;
  const renderer = createRenderer(partials);
  const fingerprint = templateFingerprint([
    ...files.map((file) => ({ path: `files/${file.path}`, contents: sources[file.path]!, executable: file.executable })),
    ...Object.entries(partials).map(([name, contents]) => ({ path: `partials/${name}.hbs`, contents, executable: false })),
    ...manifest.map(({ name, text }) => ({ path: `manifest/${name}`, contents: text, executable: false })),
    ...versionFiles.map(({ name, text }) => ({ path: `versions/${name}`, contents: text, executable: false })),
  ]);
  return {
    root,
    fingerprint,
    files,
    rules,
    versions,
    sources,
    partials,
    ...(facts ? { facts } : {}),
    compile: (file) => renderer.compile(file.path, sources[file.path]!),
  };
}
