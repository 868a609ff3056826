// Inputs for the escaping-helper tests: the hostile corpus plus strings drawn
// by fast-check from an alphabet weighted towards characters that break
// quoting (fixed seed, so every run checks the same strings).

import fc from 'fast-check';
import { accepted, rejected } from '../hostile/corpus.js';

export const seed = Number(process.env.FC_SEED ?? 20261123);

const nasty = [
  '"', "'", '`', '\\', '$', '{', '}', '{{', '}}', '${', '${{', '%{', '$${', '#', ':', ': ', ' #', '-', '!', '&', '*',
  '|', '>', '<', '[', ']', '(', ')', ';', '~', '?', '@', '%', '=', ',', '.', '_', '+', '^', '/', ' ', '\u00A0',
  '\n', '\r', '\t', '\u0000', '\u001b', '\u007f', '\u0085', '\u009b', '\u2028', '\u2029', '\u202E', '\u200B',
  '\uFEFF', '\u061C', 'é', 'e\u0301', '🚀', '𝔘', 'ש', 'yes', 'null', '0x1F', '"""', "'''", '\\n', '\\u0041',
];

/** Any Unicode string (no lone surrogates: they cannot be written as UTF-8), biased towards quoting trouble. */
export const hostileString = fc.string({
  unit: fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...nasty) }, { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) }),
  maxLength: 40,
});

/** Every corpus value (accepted or not: a helper must escape any input safely) plus sampled strings. */
export function sampleStrings(count: number): string[] {
  const corpus = [...accepted, ...rejected].map((entry) => entry.value).filter((value) => value.length <= 1000);
  return [...new Set([...corpus, ...fc.sample(hostileString, { seed, numRuns: count })])];
}

/** Values the free-text rules accept: what real renders can contain. */
export const isLineText = (value: string) => !/[\p{Cc}\u2028\u2029]/u.test(value);
