// Manifest rules: which template files apply under which answers. A file is
// planned when every rule whose path covers it matches the answers; files that
// no rule covers are always planned. A path ending in "/" covers a directory.
// A rule may also give the ownership `policy` of what it covers (merge,
// template, user, union; see src/update/policy.ts); the last one wins.

import { policies, type Policy } from '../plan/provenance.js';
import type { Answers } from '../questions/table.js';
import { answerKeys, questionFor } from '../questions/table.js';

type Condition = string | boolean | Array<string | boolean>;

export interface ManifestRule {
  source: string;
  path: string;
  when: Partial<Record<keyof Answers, Condition>>;
  policy?: Policy;
}

export function parseManifest(source: string, data: unknown): ManifestRule[] {
  if (!Array.isArray(data)) throw new Error(`${source}: must be a list of { path, when, policy } rules`);
  return data.map((entry, index) => {
    const where = `${source}[${index}]`;
    if (typeof entry !== 'object' || entry === null) throw new Error(`${where}: must be a mapping`);
    const { path, when: givenWhen, policy, ...rest } = entry as Record<string, unknown>;
    if (Object.keys(rest).length > 0) throw new Error(`${where}: unknown keys ${Object.keys(rest).join(', ')}`);
    if (typeof path !== 'string' || path.length === 0) throw new Error(`${where}: "path" must be a non-empty string`);
    if (policy !== undefined && !(policies as readonly unknown[]).includes(policy)) {
      throw new Error(`${where}: "policy" must be one of ${policies.join(', ')}`);
    }
    // A policy-only rule selects nothing away.
    const when = givenWhen === undefined && policy !== undefined ? {} : givenWhen;
    if (typeof when !== 'object' || when === null) throw new Error(`${where}: "when" must be a mapping`);
    for (const [key, condition] of Object.entries(when)) {
      const question = questionFor(key);
      if (!question) throw new Error(`${where}: unknown answer "${key}" (known: ${answerKeys.join(', ')})`);
      const allowed = question.kind === 'select' ? question.allValues : question.kind === 'confirm' ? [true, false] : undefined;
      for (const value of Array.isArray(condition) ? condition : [condition]) {
        if (allowed && !(allowed as readonly unknown[]).includes(value)) {
          throw new Error(`${where}: ${key} can never be ${JSON.stringify(value)}`);
        }
      }
    }
    return { source, path, when: when as ManifestRule['when'], ...(policy === undefined ? {} : { policy: policy as Policy }) };
  });
}

export function ruleCovers(rule: ManifestRule, filePath: string): boolean {
  return rule.path.endsWith('/') ? filePath.startsWith(rule.path) : filePath === rule.path;
}

export function ruleMatches(rule: ManifestRule, answers: Answers): boolean {
  return Object.entries(rule.when).every(([key, condition]) => {
    const value = answers[key as keyof Answers];
    return Array.isArray(condition) ? condition.includes(value as string | boolean) : condition === value;
  });
}

export function isSelected(filePath: string, rules: readonly ManifestRule[], answers: Answers): boolean {
  return fileSelector(rules, answers)(filePath);
}

/** isSelected for every file of a plan: each rule's `when` is evaluated once, then only the rules that do not match are looked at. */
export function fileSelector(rules: readonly ManifestRule[], answers: Answers): (filePath: string) => boolean {
  const refusing = rules.filter((rule) => !ruleMatches(rule, answers));
  return (filePath) => !refusing.some((rule) => ruleCovers(rule, filePath));
}
