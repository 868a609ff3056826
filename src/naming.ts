// Name conversions derived from the project name. The name rule guarantees the
// inputs here are lowercase letters, digits and single hyphens.

import { createHash } from 'node:crypto';

/** `churn-model` -> `churn_model` (a valid Python package / import name). */
export function toPythonPackageName(name: string): string {
  return name.replace(/-/g, '_');
}

/** `churn-model` -> `CHURN_MODEL_` (prefix of the service's environment variables). */
export function toEnvPrefix(name: string): string {
  return `${toPythonPackageName(name).toUpperCase()}_`;
}

/** `churn-model` -> `ChurnModel`. */
export function toPascalCase(name: string): string {
  return name
    .split('-')
    .filter(Boolean)
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join('');
}

/** Name parts that read as acronyms in a title. */
const titleAcronyms = new Set([
  'ai', 'api', 'aws', 'cd', 'ci', 'cpu', 'csv', 'cv', 'dl', 'etl', 'gcp', 'gpu', 'http', 'id', 'io', 'iot', 'json', 'k8s',
  'kpi', 'llm', 'ml', 'mlops', 'nlp', 'ocr', 'rag', 'rest', 'roi', 'sdk', 'sql', 'ui', 'ux',
]);
const titleSpellings: Record<string, string> = { mlops: 'MLOps', k8s: 'K8s', io: 'IO' };

/** `churn-model` -> `Churn Model`, `ml-api` -> `ML API` (for titles). */
export function toTitle(name: string): string {
  return name
    .split('-')
    .filter(Boolean)
    .map((part) => titleSpellings[part] ?? (titleAcronyms.has(part) ? part.toUpperCase() : part[0]!.toUpperCase() + part.slice(1)))
    .join(' ');
}

/** The first `length` hex digits of the SHA-256 of `text`: a short, stable fingerprint. */
export function shortHash(text: string, length = 4): string {
  return createHash('sha256').update(text, 'utf8').digest('hex').slice(0, length);
}

/**
 * A name within `maxLength` characters: the name itself when it fits, else a
 * prefix and a hash of the full name, so two long names that share a prefix
 * still differ: `customer-lifetime-value-model` (17) -> `customer-lif-4600`.
 */
export function toShortName(name: string, maxLength: number): string {
  if (name.length <= maxLength) return name;
  return `${name.slice(0, maxLength - 5).replace(/-+$/, '')}-${shortHash(name)}`;
}

/**
 * Names that allow only lowercase alphanumerics (ACR, Azure storage accounts)
 * with a length cap. Dropping the hyphens or truncating loses information, so
 * then a hash of the full name is kept: `churn-model` + `acr` ->
 * `churnmodeld3e9acr`, while `churnmodel` + `acr` -> `churnmodelacr`.
 */
export function toAlphanumeric(name: string, suffix: string, maxLength: number): string {
  const base = name.replace(/[^a-z0-9]/g, '');
  if (base === name && base.length + suffix.length <= maxLength) return base + suffix;
  const hash = shortHash(name);
  return base.slice(0, Math.max(1, maxLength - suffix.length - hash.length)) + hash + suffix;
}

/** Levenshtein distance, for "did you mean" hints. */
export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length]!;
}

/** The closest candidate within a small edit distance, if any. */
export function closest(value: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(value.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  const limit = Math.max(2, Math.floor(value.length / 3));
  return bestDistance <= limit ? best : undefined;
}
