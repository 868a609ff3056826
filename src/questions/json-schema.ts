// JSON Schema of the answers file, produced from the questions table.

import * as z from 'zod/mini';
import { cloudsWithRegions, regionCatalog } from './regions.js';
import { questions, type Question } from './table.js';

const freeTextPattern =
  '^(?!\\s)[^\\u0000-\\u001F\\u007F-\\u009F\\u200B-\\u200F\\u2028\\u2029\\u202A-\\u202E\\u2066-\\u2069\\uFEFF]*(?<!\\s)$';

function staticDefault(question: Question): unknown {
  return question.defaultText === undefined ? question.default({}, {}) : undefined;
}

function propertySchema(question: Question): Record<string, unknown> {
  const description = question.description + (question.defaultText ? ` (default: ${question.defaultText})` : '');
  const base: Record<string, unknown> = { description };
  const fallback = staticDefault(question);
  if (fallback !== undefined) base.default = fallback;
  switch (question.kind) {
    case 'text': {
      const { $schema: _ignored, ...fromZod } = z.toJSONSchema(question.schema, { unrepresentable: 'any' }) as Record<string, unknown>;
      return { ...fromZod, ...(question.key === 'name' ? {} : { pattern: freeTextPattern }), ...base };
    }
    case 'select':
      // A region newer than the list is valid by pattern (per cloud, below); the list is its examples.
      if (question.pattern) return { type: ['string', 'null'], examples: [...question.allValues], ...base };
      return question.inapplicable === null
        ? { type: ['string', 'null'], enum: [...question.allValues, null], ...base }
        : { type: 'string', enum: [...question.allValues], ...base };
    case 'confirm':
      return { type: 'boolean', ...base };
  }
}

export function answersJsonSchema(): Record<string, unknown> {
  const catalog = regionCatalog();
  const cloudRegionRules = cloudsWithRegions.map((cloud) => ({
    if: { properties: { cloud: { const: cloud } }, required: ['cloud'] },
    then: { properties: { region: { type: 'string', pattern: catalog[cloud].pattern.source, examples: catalog[cloud].regions.map((region) => region.value) } } },
  }));
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://mlforge.dev/schema/answers.json',
    title: 'mlforge answers',
    description: 'Answers for `mlforge new --config FILE` (YAML or JSON). Omitted answers take their defaults with --yes.',
    type: 'object',
    additionalProperties: false,
    properties: Object.fromEntries(questions.map((question) => [question.key, propertySchema(question)])),
    allOf: [
      ...cloudRegionRules,
      {
        // No cloud given: the default cloud's regions.
        if: { not: { required: ['cloud'] } },
        then: { properties: { region: { type: 'string', pattern: catalog.aws.pattern.source } } },
      },
      {
        if: { properties: { cloud: { const: 'local' } }, required: ['cloud'] },
        then: { properties: { region: { type: 'null' } } },
      },
      {
        if: { properties: { serving: { const: 'kserve' } }, required: ['serving'] },
        then: { properties: { rollout: { const: 'rolling' } } },
      },
    ],
  };
}
