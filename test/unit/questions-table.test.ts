import { describe, expect, it } from 'vitest';
import { ruleBroken } from '../../src/answers/validate-answer.js';
import { regionCatalog, regionsFor } from '../../src/questions/regions.js';
import { answerKeys, nameFromDirectory, questions } from '../../src/questions/table.js';
import { answersWith } from '../helpers/generate.js';

describe('questions table', () => {
  it('has one question per answer key, in dependency order', () => {
    expect(new Set(answerKeys).size).toBe(answerKeys.length);
    expect(answerKeys).toEqual([
      'name', 'description', 'author', 'python', 'cloud', 'region', 'ci', 'serving', 'rollout', 'monitoring', 'dvc', 'gpu',
    ]);
    expect(answerKeys.indexOf('cloud')).toBeLessThan(answerKeys.indexOf('region'));
    expect(answerKeys.indexOf('serving')).toBeLessThan(answerKeys.indexOf('rollout'));
  });

  it('has defaults that pass their own rules for every cloud and serving', () => {
    for (const cloud of ['aws', 'gcp', 'azure', 'local'] as const) {
      for (const serving of ['fastapi', 'kserve'] as const) {
        const answers = answersWith({ cloud, serving });
        for (const question of questions) {
          if (question.when && !question.when(answers)) continue;
          expect(ruleBroken(question, answers[question.key], answers), `${question.key} for ${cloud}/${serving}`).toBeUndefined();
        }
      }
    }
  });

  it('documents the defaults the issue fixes', () => {
    const answers = answersWith();
    expect(answers).toMatchObject({
      python: '3.12', cloud: 'aws', region: 'us-east-1', ci: 'github', serving: 'fastapi', rollout: 'rolling',
      monitoring: true, dvc: false, gpu: false,
    });
  });

  it('offers regions that depend on the cloud and none for local', () => {
    const region = questions.find((question) => question.key === 'region')!;
    expect(region.kind).toBe('select');
    if (region.kind !== 'select') return;
    expect(region.choices({ cloud: 'gcp' }).map((choice) => choice.value)).toEqual(regionCatalog().gcp.regions.map((r) => r.value));
    expect(region.choices({ cloud: 'aws' }).find((choice) => choice.value === 'eu-west-2')?.hint).toBe('Europe (London)');
    expect(region.when!({ cloud: 'local' })).toBe(false);
    expect(answersWith({ cloud: 'azure' }).region).toBe('eastus');
    expect(answersWith({ cloud: 'local' }).region).toBeNull();
  });

  it('asks for a rollout only with fastapi serving', () => {
    const rollout = questions.find((question) => question.key === 'rollout')!;
    expect(rollout.when!({ serving: 'kserve' })).toBe(false);
    expect(rollout.when!({ serving: 'fastapi' })).toBe(true);
    expect(answersWith({ serving: 'kserve', rollout: 'canary' }).rollout).toBe('rolling');
  });

  it('defaults the name from the target directory when that gives a valid name', () => {
    const name = questions.find((question) => question.key === 'name')!;
    // The directory gives the name (resolve-answers.ts validates it); the table's default is only for no directory.
    expect(nameFromDirectory('Fraud_Detector')).toBe('fraud-detector');
    expect(nameFromDirectory('42')).toBe('');
    expect(nameFromDirectory('json')).toBe('json');
    expect(name.default({}, {})).toBe('ml-service');
  });

  it('gives every question and every choice a one-line hint', () => {
    for (const question of questions) {
      expect(question.hint, question.key).toMatch(/^[^\n]{10,100}$/);
      if (question.kind !== 'select') continue;
      for (const cloud of ['aws', 'gcp', 'azure'] as const) {
        for (const choice of question.choices({ cloud })) expect(choice.hint, `${question.key} ${choice.value}`).toMatch(/^[^\n]{3,100}$/);
      }
    }
  });

  it('lists regions per cloud that match the cloud’s pattern, with the issue’s missing ones', () => {
    const catalog = regionCatalog();
    for (const cloud of ['aws', 'gcp', 'azure'] as const) {
      expect(catalog[cloud].regions.length, cloud).toBeGreaterThan(25);
      for (const { value } of catalog[cloud].regions) expect(value).toMatch(catalog[cloud].pattern);
    }
    expect(regionsFor('aws')).toEqual(expect.arrayContaining(['eu-west-2', 'ap-south-1']));
    expect(regionsFor('gcp')).toContain('europe-west2');
    expect(regionsFor('aws')[0]).toBe('us-east-1');
    expect(regionsFor('gcp')[0]).toBe('us-central1');
    expect(regionsFor('azure')[0]).toBe('eastus');
    expect(catalog.aws.pattern.test('us-gov-west-1')).toBe(true);
    expect(catalog.azure.pattern.test('East US')).toBe(false);
  });
});
