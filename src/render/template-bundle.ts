// Run time: a TemplateSet over the templates compiled to JavaScript at build
// time, so `mlforge new` neither reads ~200 files nor loads Handlebars.
// test/unit/template-bundle.test.ts proves both paths write identical files.

import { fileURLToPath } from 'node:url';
import { lockFileReader } from '../plan/lock-files.js';
import { namedTemplate } from './helpers.js';
import type { FactRow } from './facts-table.js';
import type { ManifestRule } from './manifest.js';
import { runtime, type TemplateRuntime } from './template-runtime.js';
import type { TemplateFile, TemplateSet } from './template-set.js';

type Render = (context: object) => string;

/** The module write-template-bundle.ts generates. */
export interface TemplateBundle {
  files: TemplateFile[];
  rules: ManifestRule[];
  /** Without `locks`: the lock store is read from the files of lock-files.ts, in the directory this returns. */
  versions: TemplateSet['versions'];
  locks: (() => URL) | undefined;
  fingerprint: string;
  /** templates/facts.yml, parsed and validated at build time. */
  facts?: FactRow[];
  /** The render function of every file, by path. */
  create(rt: TemplateRuntime): Record<string, Render>;
}

export function templateSetFromBundle(bundle: TemplateBundle, root = 'compiled templates'): TemplateSet {
  let renders: Record<string, Render> | undefined;
  return {
    root,
    files: bundle.files,
    rules: bundle.rules,
    // One set of the lock store read when a plan composes its uv.lock, not the whole store at start.
    versions: bundle.locks ? { ...bundle.versions, locks: lockFileReader(fileURLToPath(bundle.locks())) as unknown as Record<string, unknown> } : bundle.versions,
    fingerprint: bundle.fingerprint,
    ...(bundle.facts ? { facts: bundle.facts } : {}),
    sources: {},
    partials: {},
    compile: (file) => namedTemplate(file.path, (renders ??= bundle.create(runtime))[file.path]!),
  };
}
