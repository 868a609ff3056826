// The closed set of template helpers and the compile options every template
// uses, shared by the source compiler (tests, `--templates`) and the
// precompiled templates bundled at build time.

import type { HelperDelegate } from 'handlebars';
import { unwrapText } from '../escape/free-text.js';
import {
  dockerfileString,
  hclString,
  jsonString,
  markdownText,
  pythonString,
  shellWord,
  tomlString,
  yamlString,
} from '../escape/formats.js';

type HelperArgs = unknown[];
const values = (args: HelperArgs) => args.slice(0, -1); // the last argument is Handlebars' options object

export const helpers = {
  yaml: (value: unknown) => yamlString(unwrapText(value)),
  json: (value: unknown) => (typeof value === 'object' && value !== null && !('toJSON' in value)
    ? JSON.stringify(value)
    : jsonString(unwrapText(value))),
  toml: (value: unknown) => tomlString(unwrapText(value)),
  hcl: (value: unknown) => hclString(unwrapText(value)),
  py: (value: unknown) => pythonString(unwrapText(value)),
  sh: (value: unknown) => shellWord(unwrapText(value)),
  md: (value: unknown) => markdownText(unwrapText(value)),
  docker: (value: unknown) => dockerfileString(unwrapText(value)),
  eq: (...args: HelperArgs) => values(args).every((value, _index, all) => value === all[0]),
  ne: (...args: HelperArgs) => values(args)[0] !== values(args)[1],
  and: (...args: HelperArgs) => values(args).every(Boolean),
  or: (...args: HelperArgs) => values(args).some(Boolean),
  not: (value: unknown) => !value,
  /** `{{#if (oneOf cloud "aws" "gcp")}}` */
  oneOf: (...args: HelperArgs) => values(args).slice(1).includes(values(args)[0]),
} as const;

export const helperNames = Object.keys(helpers);

// Handlebars' own `lookup` and `log` are switched off: templates get exactly the helpers above.
const knownHelpers = {
  ...Object.fromEntries([...helperNames, 'if', 'unless', 'each', 'with'].map((name) => [name, true])),
  lookup: false,
  log: false,
} as Record<string, boolean>;

export const compileOptions = { strict: true, noEscape: true, knownHelpersOnly: true, knownHelpers } as const;

/**
 * GitHub Actions expressions `${{ ... }}` are always literal in templates: they
 * are escaped before compiling so no template needs to think about them. Other
 * literal `{{` (Prometheus, Grafana, Go templates) are written `\{{` in the template.
 */
export function protectCiExpressions(source: string): string {
  return source.replace(/\$\{\{/g, '$\\{{');
}

interface HelperHost {
  registerHelper(name: string, helper: HelperDelegate): void;
  unregisterHelper(name: string): void;
}

export function installHelpers(env: HelperHost): void {
  env.unregisterHelper('lookup');
  env.unregisterHelper('log');
  for (const [name, helper] of Object.entries(helpers)) env.registerHelper(name, helper as HelperDelegate);
}

export type RenderFunction = (context: object) => string;

/** Wraps a template so its errors name the template. */
export function namedTemplate(templatePath: string, template: (context: object) => string): RenderFunction {
  return (context) => {
    try {
      return template(context);
    } catch (error) {
      const message = (error as Error).message.replace('[object Object]', 'the template context');
      throw new Error(`template ${templatePath}: ${message}`, { cause: error });
    }
  };
}
