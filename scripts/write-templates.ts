// Build step (scripts/build.mjs): templates/ compiled to one JavaScript module, and
// the uv lock store as the files the module reads (src/plan/lock-files.ts).

import { lockFiles } from '../src/plan/lock-files.js';
import type { LockStore } from '../src/plan/uv-lock.js';
import { templateBundleSource } from '../src/render/write-template-bundle.js';
import { loadTemplateSet } from '../src/render/template-set.js';

export async function templateModuleSource(templatesRoot: string): Promise<{ module: string; locks: Map<string, Buffer> }> {
  const set = await loadTemplateSet(templatesRoot);
  const store = set.versions.locks as LockStore | undefined;
  return { module: templateBundleSource(set), locks: store ? lockFiles(store) : new Map() };
}
