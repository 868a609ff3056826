// Compiles template sources at run time: Handlebars in strict mode with no
// HTML escaping and the closed set of helpers in helpers.ts.

import Handlebars from 'handlebars';
import { compileOptions, installHelpers, namedTemplate, protectCiExpressions, type RenderFunction } from './helpers.js';

export { protectCiExpressions, type RenderFunction } from './helpers.js';

export function createRenderer(partials: Record<string, string> = {}) {
  const handlebars = Handlebars.create();
  installHelpers(handlebars);
  for (const [name, source] of Object.entries(partials)) {
    handlebars.registerPartial(name, handlebars.compile(protectCiExpressions(source), compileOptions));
  }
  return {
    compile(templatePath: string, source: string): RenderFunction {
      return namedTemplate(templatePath, handlebars.compile(protectCiExpressions(source), compileOptions));
    },
  };
}

/** Build time: the JavaScript source of a precompiled template (see precompiled-templates.ts). */
export function precompileTemplate(source: string): string {
  return Handlebars.precompile(protectCiExpressions(source), compileOptions) as string;
}
