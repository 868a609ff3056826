import { describe, expect, it } from 'vitest';
import { closest, toAlphanumeric, toEnvPrefix, toPascalCase, toPythonPackageName, toShortName, toTitle } from '../../src/naming.js';

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
    expect(toAlphanumeric('churnmodel', 'acr', 50)).toBe('churnmodelacr');
    // Dropping hyphens loses information: a hash of the full name keeps churn-model and churnmodel apart.
    expect(toAlphanumeric('churn-model', 'acr', 50)).toBe('churnmodeld3e9acr');
    const long = toAlphanumeric('a'.repeat(40), 'mlsa', 24);
    expect(long).toHaveLength(24);
    expect(long.endsWith('mlsa')).toBe(true);
  });

  it('shortens long names with a hash of the full name, never a plain prefix', () => {
    expect(toShortName('churn-model', 17)).toBe('churn-model');
    expect(toShortName('customer-lifetime-value-model', 17)).toBe('customer-lif-4600');
    const [a, b] = [toShortName('a'.repeat(39) + 'b', 17), toShortName('a'.repeat(39) + 'c', 17)];
    expect(a).not.toBe(b);
    expect(a).toHaveLength(17);
    expect(toShortName('abcdefghijkl-nopqrstuvwxyz', 17)).toMatch(/^abcdefghijkl-[0-9a-f]{4}$/); // no double hyphen
  });

  it('suggests close matches only', () => {
    expect(closest('clod', ['cloud', 'ci'])).toBe('cloud');
    expect(closest('monitorng', ['monitoring', 'dvc'])).toBe('monitoring');
    expect(closest('zzzzzz', ['cloud', 'ci'])).toBeUndefined();
  });
});
