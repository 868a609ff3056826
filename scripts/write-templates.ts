// Build step (scripts/build.mjs): precompile templates/ into dist/templates.js.

import { writeTemplateBundle } from '../src/render/template-bundle.js';
import { loadTemplateSet } from '../src/render/template-set.js';

export async function writeTemplates(templatesRoot: string, outFile: string): Promise<void> {
  await writeTemplateBundle(await loadTemplateSet(templatesRoot), outFile);
}
