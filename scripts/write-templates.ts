// Build step (scripts/build.mjs): templates/ compiled to one JavaScript module.

import { templateBundleSource } from '../src/render/write-template-bundle.js';
import { loadTemplateSet } from '../src/render/template-set.js';

export async function templateModuleSource(templatesRoot: string): Promise<string> {
  return templateBundleSource(await loadTemplateSet(templatesRoot));
}
