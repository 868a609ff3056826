// fast-check generators of answer sets: valid ones drawn from the questions
// table, and invalid ones that break exactly one rule.

import fc from 'fast-check';
import { questionFor, clouds, cis, pythonVersions, servings, type Answers, type TextQuestion } from '../../src/questions/table.js';
import { regionPattern, regionsFor } from '../../src/questions/regions.js';
import { projectName } from '../../src/questions/text-rules.js';

export const seed = Number(process.env.FC_SEED ?? 5052026);

const textSchema = (key: 'description' | 'author') => (questionFor(key) as TextQuestion).schema;

const trouble = ['"', "'", '`', '\\', '$', '{{', '}}', '${{', '${', '%{', '#', ': ', '&', '*', '!', '|', '>', '<', '-', '~', '@', '%', 'yes', 'null', '1e3', '🚀', 'é', 'ש', '\u00A0'];
const textUnit = fc.oneof(
  { weight: 2, arbitrary: fc.constantFrom(...trouble) },
  { weight: 3, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }) },
);

/** Free text the rules accept (most draws are; the rest are filtered out). */
const freeTextFor = (key: 'description' | 'author', max: number) =>
  fc.string({ unit: textUnit, minLength: 1, maxLength: Math.min(max, 30) }).filter((text) => textSchema(key).safeParse(text).success);

export const validName = fc
  .stringMatching(/^[a-z][a-z0-9]{1,10}(-[a-z0-9]{1,6}){0,2}$/)
  .filter((name) => projectName.safeParse(name).success);

export const validAnswers: fc.Arbitrary<Answers> = fc
  .record({
    name: validName,
    description: freeTextFor('description', 200),
    author: freeTextFor('author', 100),
    python: fc.constantFrom(...pythonVersions),
    cloud: fc.constantFrom(...clouds),
    ci: fc.constantFrom(...cis),
    serving: fc.constantFrom(...servings),
    canary: fc.boolean(),
    monitoring: fc.boolean(),
    dvc: fc.boolean(),
    gpu: fc.boolean(),
    regionIndex: fc.nat(),
  })
  .map(({ canary, regionIndex, ...rest }): Answers => {
    const regions = regionsFor(rest.cloud);
    return {
      ...rest,
      region: regions.length > 0 ? regions[regionIndex % regions.length]! : null,
      rollout: canary && rest.serving === 'fastapi' ? 'canary' : 'rolling',
    };
  });

/** One broken answer: the key, the value as a flag or config would carry it, and whether a flag can carry it. */
export interface BrokenAnswer {
  key: keyof Answers;
  value: unknown;
  /** Extra valid answers the broken one depends on (for example the cloud a region must belong to). */
  context: Partial<Record<keyof Answers, string>>;
}

const forbidden = ['\n', '\r', '\t', '\u0000', '\u001b', '\u007f', '\u0085', '\u202E', '\u2066', '\u200B', '\u200F', '\uFEFF', '\u2028'];
const brokenText = (max: number) =>
  fc.oneof(
    fc.tuple(fc.string({ maxLength: 10 }), fc.constantFrom(...forbidden), fc.string({ maxLength: 10 })).map(([a, bad, b]) => `x${a}${bad}${b}x`),
    fc.tuple(fc.constantFrom(' ', '\u00A0', '\u3000'), fc.string({ minLength: 1, maxLength: 10 })).map(([space, text]) => `${space}${text}`),
    fc.string({ minLength: 1, maxLength: 10 }).map((text) => `${text} `),
    fc.integer({ min: max + 1, max: max + 50 }).map((length) => 'z'.repeat(length)),
    fc.constant(''),
  );
const notOneOf = (allowed: readonly string[]) => fc.string({ maxLength: 12 }).filter((value) => !allowed.includes(value));

export const brokenAnswer: fc.Arbitrary<BrokenAnswer> = fc.oneof(
  fc.string({ maxLength: 45 }).filter((name) => !projectName.safeParse(name).success).map((value) => ({ key: 'name' as const, value, context: {} })),
  brokenText(200).map((value) => ({ key: 'description' as const, value, context: {} })),
  brokenText(100).map((value) => ({ key: 'author' as const, value, context: {} })),
  fc.oneof(fc.constantFrom('3.10', '3.9', '2.7', '3.14', '3', 'latest'), notOneOf(pythonVersions)).map((value) => ({ key: 'python' as const, value, context: {} })),
  notOneOf(clouds).map((value) => ({ key: 'cloud' as const, value, context: {} })),
  fc
    .tuple(fc.constantFrom('aws', 'gcp', 'azure', 'local'), fc.oneof(fc.constantFrom(...regionsFor('aws'), ...regionsFor('gcp'), ...regionsFor('azure')), notOneOf([])))
    // Not listed for that cloud and not of its form either (a newer region of the form is valid).
    .filter(([cloud, region]) => !regionsFor(cloud).includes(region) && !regionPattern(cloud)?.test(region))
    .map(([cloud, value]) => ({ key: 'region' as const, value, context: { cloud } })),
  notOneOf(cis).map((value) => ({ key: 'ci' as const, value, context: {} })),
  notOneOf(servings).map((value) => ({ key: 'serving' as const, value, context: {} })),
  fc.oneof(
    fc.constant({ key: 'rollout' as const, value: 'canary' as unknown, context: { serving: 'kserve' } }),
    notOneOf(['rolling', 'canary']).map((value) => ({ key: 'rollout' as const, value: value as unknown, context: { serving: 'fastapi' } })),
  ),
  fc
    .tuple(fc.constantFrom('monitoring', 'dvc', 'gpu'), fc.constantFrom<unknown>('yes', 'true', 1, 0, null, 'on', [], {}))
    .map(([key, value]) => ({ key: key as 'monitoring' | 'dvc' | 'gpu', value, context: {} })),
);
