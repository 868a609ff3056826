import { describe, expect, it } from 'vitest';
import { ruleBroken } from '../../src/answers/validate-answer.js';
import { regionsByCloud } from '../../src/questions/regions.js';
import { answerKeys, questions } from '../../src/questions/table.js';
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
    expect(region.choices({ cloud: 'gcp' }).map((choice) => choice.value)).toEqual([...regionsByCloud.gcp]);
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
    expect(name.default({}, { directoryName: 'Fraud_Detector' })).toBe('fraud-detector');
    expect(name.default({}, { directoryName: '42' })).toBe('ml-service');
    expect(name.default({}, { directoryName: 'json' })).toBe('ml-service');
    expect(name.default({}, {})).toBe('ml-service');
  });
});
