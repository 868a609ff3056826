import Ajv2020 from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { answersJsonSchema } from '../../src/questions/json-schema.js';
import { answersWith } from '../helpers/generate.js';

const ajv = new Ajv2020.default({ allErrors: true, strict: false });
const validate = ajv.compile(answersJsonSchema());

describe('mlforge schema', () => {
  it('accepts complete and partial answer files', () => {
    for (const cloud of ['aws', 'gcp', 'azure', 'local'] as const) {
      expect(validate(answersWith({ cloud })), JSON.stringify(validate.errors)).toBe(true);
    }
    expect(validate({ name: 'churn-model', gpu: true })).toBe(true);
    expect(validate({ description: 'Quotes " and ${{ x }} and ünï' })).toBe(true);
  });

  it('accepts every listed region and a newer one of the same form, per cloud', () => {
    for (const [cloud, region] of [
      ['aws', 'eu-west-2'], ['aws', 'ap-south-1'], ['aws', 'ap-east-9'], ['gcp', 'europe-west2'], ['gcp', 'europe-west12'],
      ['azure', 'uksouth'], ['azure', 'newregion3'],
    ]) {
      expect(validate({ cloud, region }), `${cloud} ${region}`).toBe(true);
    }
    expect(validate({ region: 'eu-west-2' })).toBe(true);
  });

  it.each([
    [{ clod: 'aws' }, 'unknown key'],
    [{ cloud: 'aws2' }, 'bad enum'],
    [{ name: 'Bad_Name' }, 'name pattern'],
    [{ name: 'ab' }, 'name too short'],
    [{ cloud: 'aws', region: 'europe-west1' }, 'region of another cloud'],
    [{ cloud: 'gcp', region: 'us-east-1' }, 'an AWS region for gcp'],
    [{ cloud: 'aws', region: 'eu-west' }, 'region without its number'],
    [{ region: 'uksouth' }, 'an Azure region for the default cloud'],
    [{ cloud: 'local', region: 'us-east-1' }, 'region with local'],
    [{ serving: 'kserve', rollout: 'canary' }, 'canary with kserve'],
    [{ gpu: 'yes' }, 'string for a boolean'],
    [{ description: 'two\nlines' }, 'control character'],
    [{ description: ' padded' }, 'leading whitespace'],
  ] as Array<[Record<string, unknown>, string]>)('rejects %j (%s)', (answers) => {
    expect(validate(answers)).toBe(false);
  });

  it('documents every property with a description', () => {
    const schema = answersJsonSchema() as { properties: Record<string, { description?: string; default?: unknown }> };
    for (const [key, property] of Object.entries(schema.properties)) expect(property.description, key).toBeTruthy();
    expect(schema.properties.cloud!.default).toBe('aws');
  });
});
