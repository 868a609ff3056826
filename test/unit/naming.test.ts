import { describe, expect, it } from 'vitest';
import { closest, toAlphanumeric, toEnvPrefix, toPascalCase, toPythonPackageName, toTitle } from '../../src/naming.js';

describe('name conversions', () => {
  it('derives Python, environment and display names', () => {
    expect(toPythonPackageName('churn-model-v2')).toBe('churn_model_v2');
    expect(toEnvPrefix('churn-model')).toBe('CHURN_MODEL_');
    expect(toPascalCase('churn-model')).toBe('ChurnModel');
    expect(toTitle('churn-model')).toBe('Churn Model');
    expect(toTitle('ml-service')).toBe('ML Service');
    expect(toTitle('fraud-api')).toBe('Fraud API');
    expect(toTitle('nlp-mlops-demo')).toBe('NLP MLOps Demo');
  });

  it('makes alphanumeric names within a length cap', () => {
    expect(toAlphanumeric('churn-model', 'acr', 50)).toBe('churnmodelacr');
    const long = toAlphanumeric('a'.repeat(40), 'mlsa', 24);
    expect(long).toHaveLength(24);
    expect(long.endsWith('mlsa')).toBe(true);
  });

  it('suggests close matches only', () => {
    expect(closest('clod', ['cloud', 'ci'])).toBe('cloud');
    expect(closest('monitorng', ['monitoring', 'dvc'])).toBe('monitoring');
    expect(closest('zzzzzz', ['cloud', 'ci'])).toBeUndefined();
  });
});
