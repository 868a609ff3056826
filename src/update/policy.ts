// Ownership policy of one output path: a user override in .mlforge.yml
// (glob -> policy; the longest matching glob wins), else the last manifest
// rule covering its template that names one, else `merge`.

import type { Policy } from '../plan/provenance.js';
import { ruleCovers, type ManifestRule } from '../render/manifest.js';

export type PolicyOf = (path: string, template: string | undefined) => Policy;

export function policyResolver(rules: readonly ManifestRule[], overrides: Readonly<Record<string, Policy>>): PolicyOf {
  const globs = Object.entries(overrides)
    .map(([glob, policy]) => ({ glob, policy, pattern: globPattern(glob) }))
    .sort((a, b) => b.glob.length - a.glob.length);
  const declared = rules.filter((rule) => rule.policy !== undefined);
  return (path, template) => {
    const override = globs.find((entry) => entry.pattern.test(path));
    if (override) return override.policy;
    if (template === undefined) return 'merge';
    const covering = declared.filter((rule) => ruleCovers(rule, template));
    return covering.at(-1)?.policy ?? 'merge';
  };
}

/** `dir/` covers a folder; `*` matches within one path segment, `**` across segments. */
export function globPattern(glob: string): RegExp {
  if (glob.endsWith('/')) return new RegExp(`^${escape(glob)}`);
  const source = glob
    .split('**')
    .map((part) => part.split('*').map(escape).join('[^/]*'))
    .join('.*');
  return new RegExp(`^${source}$`);
}

function escape(text: string): string {
  return text.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
}
