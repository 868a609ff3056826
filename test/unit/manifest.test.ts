import { describe, expect, it } from 'vitest';
import { isSelected, parseManifest, ruleCovers } from '../../src/render/manifest.js';
import { answersWith, templates } from '../helpers/generate.js';

describe('manifest rules', () => {
  it('rejects unknown answers and impossible values', () => {
    expect(() => parseManifest('m.yml', [{ path: 'a/', when: { clod: 'aws' } }])).toThrow(/unknown answer "clod"/);
    expect(() => parseManifest('m.yml', [{ path: 'a/', when: { cloud: 'aws2' } }])).toThrow(/cloud can never be "aws2"/);
    expect(() => parseManifest('m.yml', [{ path: 'a/', when: { gpu: 'yes' } }])).toThrow(/gpu can never be "yes"/);
    expect(() => parseManifest('m.yml', [{ path: '', when: {} }])).toThrow(/"path" must be a non-empty string/);
    expect(() => parseManifest('m.yml', [{ path: 'a', when: {}, extra: 1 }])).toThrow(/unknown keys extra/);
    expect(() => parseManifest('m.yml', { path: 'a' })).toThrow(/must be a list/);
  });

  it('selects a file only when every covering rule matches', () => {
    const rules = parseManifest('m.yml', [
      { path: 'infra/', when: { cloud: ['aws', 'gcp', 'azure'] } },
      { path: 'infra/gpu.tf', when: { gpu: true } },
    ]);
    expect(isSelected('infra/main.tf', rules, answersWith({ cloud: 'gcp' }))).toBe(true);
    expect(isSelected('infra/main.tf', rules, answersWith({ cloud: 'local' }))).toBe(false);
    expect(isSelected('infra/gpu.tf', rules, answersWith({ cloud: 'gcp', gpu: false }))).toBe(false);
    expect(isSelected('infra/gpu.tf', rules, answersWith({ cloud: 'gcp', gpu: true }))).toBe(true);
    expect(isSelected('README.md', rules, answersWith({ cloud: 'local' }))).toBe(true);
    expect(ruleCovers(rules[0]!, 'infrastructure.md')).toBe(false);
  });

  it('has no rule in templates/manifest that covers no template file', async () => {
    const set = await templates();
    for (const rule of set.rules) {
      expect(set.files.some((file) => ruleCovers(rule, file.path)), `${rule.source}: ${rule.path}`).toBe(true);
    }
  });
});
