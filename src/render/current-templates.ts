// The running mlforge's templates: precompiled into dist/ when built, else
// compiled from templates/ (running from source, as the tests do).

import type { PlanTemplates } from '../plan/plan-project.js';
import { bundledTemplates } from './bundled-templates.js';
import { templateSetFromBundle } from './template-bundle.js';
import { defaultTemplatesRoot, loadTemplateSet } from './template-set.js';

export async function currentTemplates(): Promise<PlanTemplates> {
  return bundledTemplates ? templateSetFromBundle(bundledTemplates) : await loadTemplateSet(defaultTemplatesRoot());
}
