// The template sets of earlier releases, shipped in templates/history/ as
// content-addressed objects (gzipped, named by the SHA-256 of their text) plus one manifest per release (written by
// scripts/snapshot-templates.mjs). Loading one gives a template set that
// re-renders exactly what that release generated, with that release's derived
// constants pinned.

import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { Versions } from '../derive.js';
import type { PlanTemplates } from '../plan/plan-project.js';
import { parseManifest } from '../render/manifest.js';
import { createRenderer } from '../render/renderer.js';

export interface HistoryManifest {
  version: string;
  fingerprint: string;
  /** Path under templates/ (files/..., partials/..., manifest/..., versions/...) -> object sha256. */
  files: Record<string, string>;
  executable: string[];
  context: Record<string, unknown>;
}

export class HistoryError extends Error {}

export function historyManifestPath(templatesRoot: string, version: string): string {
  return join(templatesRoot, 'history', `${version}.json`);
}

/** The manifest of the snapshot of `version`, or undefined when this mlforge ships none for it. */
async function readManifest(templatesRoot: string, version: string): Promise<{ manifest: HistoryManifest; manifestPath: string } | undefined> {
  if (!/^[0-9A-Za-z.+-]+$/.test(version)) return undefined;
  const manifestPath = historyManifestPath(templatesRoot, version);
  if (!existsSync(manifestPath)) return undefined;
  return { manifest: JSON.parse(await readFile(manifestPath, 'utf8')) as HistoryManifest, manifestPath };
}

/**
 * The templates of `version` for rendering: `current` (the running mlforge's, precompiled when built)
 * with the snapshot's pinned context when the snapshot has current's fingerprint, decided from its
 * manifest alone (no objects read, no YAML parsed, no Handlebars); else the snapshot itself.
 */
export async function loadSnapshotFor(templatesRoot: string, version: string, current: PlanTemplates): Promise<PlanTemplates | undefined> {
  const found = await readManifest(templatesRoot, version);
  if (!found) return undefined;
  if (current.fingerprint && found.manifest.fingerprint === current.fingerprint) {
    return { ...current, ...(found.manifest.context ? { pinnedContext: found.manifest.context } : {}) };
  }
  return snapshotFrom(templatesRoot, version, found.manifest, found.manifestPath);
}

/** The snapshot of `version`, or undefined when this mlforge ships none for it. */
/** An object's text: objects are stored gzipped (scripts/snapshot-templates.mjs); undefined when it does not inflate. */
async function readObject(file: string): Promise<string | undefined> {
  const bytes = await readFile(file);
  try {
    return gunzipSync(bytes).toString('utf8');
  } catch {
    return undefined;
  }
}

export async function loadSnapshot(templatesRoot: string, version: string): Promise<PlanTemplates | undefined> {
  const found = await readManifest(templatesRoot, version);
  return found && snapshotFrom(templatesRoot, version, found.manifest, found.manifestPath);
}

async function snapshotFrom(templatesRoot: string, version: string, manifest: HistoryManifest, manifestPath: string): Promise<PlanTemplates> {
  const texts = new Map<string, string>();
  await Promise.all(
    Object.entries(manifest.files).map(async ([path, object]) => {
      const text = await readObject(join(templatesRoot, 'history', 'objects', object));
      if (text === undefined || createHash('sha256').update(text, 'utf8').digest('hex') !== object) {
        throw new HistoryError(`templates/history/objects/${object} (${path} of ${version}) is corrupt: its SHA-256 differs`);
      }
      texts.set(path, text);
    }),
  );
  const under = (prefix: string) =>
    [...texts.entries()].filter(([path]) => path.startsWith(prefix)).sort(([a], [b]) => (a < b ? -1 : 1)).map(([path, text]) => [path.slice(prefix.length), text] as const);
  const sources = Object.fromEntries(under('files/'));
  const partials = Object.fromEntries(under('partials/').map(([name, text]) => [name.replace(/\.hbs$/, ''), text]));
  const rules = under('manifest/').flatMap(([name, text]) => parseManifest(`templates/manifest/${name} (${version})`, parseYaml(text)));
  const versions: Versions = Object.fromEntries(
    under('versions/').map(([name, text]) => [name.replace(/\.yml$/, ''), (parseYaml(text) ?? {}) as Record<string, unknown>]),
  );
  const executable = new Set(manifest.executable);
  const renderer = createRenderer(partials);
  return {
    root: manifestPath,
    files: Object.keys(sources).map((path) => ({ path, executable: executable.has(`files/${path}`) })),
    rules,
    versions,
    sources,
    partials,
    fingerprint: manifest.fingerprint,
    pinnedContext: manifest.context,
    compile: (file) => renderer.compile(file.path, sources[file.path]!),
  };
}
