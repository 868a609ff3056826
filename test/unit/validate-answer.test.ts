import { describe, expect, it } from 'vitest';
import { validateAnswer } from '../../src/answers/validate-answer.js';
import { UsageError } from '../../src/errors.js';
import { questionFor, type Question } from '../../src/questions/table.js';

const q = (key: string): Question => questionFor(key)!;
const flag = { kind: 'flag' } as const;

function rejection(key: string, value: unknown, answers = {}): UsageError {
  try {
    validateAnswer(q(key), value, answers, flag);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return error as UsageError;
  }
  throw new Error(`${key}=${JSON.stringify(value)} was accepted`);
}

describe('name rule', () => {
  it.each(['abd', 'churn-model', 'a1-b2-c3', 'x'.repeat(40), 'model2'])('accepts %s', (name) => {
    expect(validateAnswer(q('name'), name, {}, flag)).toBe(name);
  });

  it.each([
    ['ab', 'too short'],
    ['x'.repeat(41), 'too long'],
    ['Churn', 'uppercase'],
    ['1model', 'starts with a digit'],
    ['-model', 'starts with a hyphen'],
    ['model-', 'ends with a hyphen'],
    ['my--model', 'double hyphen'],
    ['my_model', 'underscore'],
    ['my model', 'space'],
    ['módel', 'non-ASCII'],
    ['json', 'shadows the standard library'],
    ['fastapi', 'shadows a dependency'],
    ['class', 'Python keyword'],
  ])('rejects %s (%s) naming the flag, the value and the rule', (name) => {
    const error = rejection('name', name);
    expect(error.message).toContain('--name');
    expect(error.message).toContain(JSON.stringify(name).slice(0, 20));
    expect(error.message).toMatch(/must/);
    expect(error.exitCode).toBe(2);
    expect(error.field).toBe('name');
  });
});

describe('free text rule', () => {
  it.each([
    'He said "hi" and \'bye\'',
    'colons: and # hashes',
    'braces {{ x }} and ${{ secrets.TOKEN }} and ${HOME}',
    'back\\slash',
    'shell $(rm -rf /) `id` ; | & > <',
    'Ünïcödé 模型 🚀',
    'yes',
    'null',
    '1e3',
  ])('accepts %s', (text) => {
    expect(validateAnswer(q('description'), text, {}, flag)).toBe(text);
  });

  it.each([
    ['line\nbreak', 'control'],
    ['tab\there', 'control'],
    ['bell\u0007', 'control'],
    ['rtl \u202Eoverride', 'bidirectional'],
    ['isolate \u2066x\u2069', 'bidirectional'],
    ['zero\u200Bwidth', 'zero-width'],
    [' leading', 'whitespace'],
    ['trailing ', 'whitespace'],
    ['', 'empty'],
    ['x'.repeat(201), 'at most 200'],
  ])('rejects %j (%s)', (text, rule) => {
    const error = rejection('description', text);
    expect(error.message).toContain('--description');
    expect(error.message).toContain(rule);
  });

  it('caps the author at 100 characters', () => {
    expect(rejection('author', 'a'.repeat(101)).message).toContain('at most 100');
  });
});

describe('choices', () => {
  it('suggests the closest choice', () => {
    const error = rejection('cloud', 'aws2');
    expect(error.message).toBe('Invalid --cloud "aws2": must be one of aws, gcp, azure, local (did you mean "aws"?).');
  });

  it('names the cloud when a region does not belong to it', () => {
    const error = rejection('region', 'us-central1', { cloud: 'aws' });
    expect(error.message).toContain('for cloud aws');
    expect(error.message).toContain('us-east-1');
  });

  it('rejects non-strings and non-booleans', () => {
    expect(rejection('ci', 3).message).toContain('must be one of github, gitlab');
    expect(rejection('monitoring', 'yes').message).toContain('must be true or false');
  });

  it('reads python: 3.12 from YAML (a number) as "3.12"', () => {
    expect(validateAnswer(q('python'), 3.12, {}, { kind: 'config', path: 'a.yml' })).toBe('3.12');
    expect(validateAnswer(q('python'), 3.13, {}, { kind: 'config', path: 'a.yml' })).toBe('3.13');
    expect(() => validateAnswer(q('python'), 3.1, {}, { kind: 'config', path: 'a.yml' })).toThrow(/"python" in a.yml/);
  });
});

describe('names that are legal but harmful', () => {
  it.each([
    ['default', /Kubernetes system namespace/],
    ['kube-system', /Kubernetes system namespace/],
    ['kube-metrics', /Kubernetes system namespace/],
    ['google-churn', /Google Cloud Storage/],
    ['my-google-model', /contain "google"/],
    ['my-g00gle-model', /look-alike/],
    ['goog-model', /start with "goog"/],
    ['googly', /start with "goog"/],
    ['sthree-model', /Amazon S3 reserves/],
    ['amzn-s3-demo-x', /Amazon S3 reserves/],
    ['churn-s3alias', /end with "-s3alias"/],
    ['microsoft-churn', /Azure refuses/],
    ['mywindows', /Azure refuses/],
    ['login-scoring', /start with "login"/],
    ['azure-churn', /the word "azure"/],
    ['fraud-xbox', /the word "xbox"/],
  ])('rejects %s', (name, rule) => {
    const error = rejection('name', name);
    expect(error.message).toMatch(rule);
    expect(error.message).toContain(`Invalid --name "${name}"`);
    expect(error.field).toBe('name');
  });

  it.each(['kubeflow-model', 'defaults-model', 'churn-model', 'azureish', 'bingo-model', 'goo-model'])('accepts %s', (name) => {
    expect(validateAnswer(q('name'), name, {}, flag)).toBe(name);
  });
});

describe('invisible characters in free text', () => {
  const rejected: Array<[string, string]> = [
    ['zero-width space', 'a\u200Bb'],
    ['soft hyphen', 'a\u00ADb'],
    ['word joiner', 'a\u2060b'],
    ['BOM', '\uFEFFab'],
    ['tag character', 'ab\u{E0041}'],
    ['Mongolian vowel separator', 'a\u180Eb'],
    ['Hangul filler', 'a\u3164b'],
    ['combining grapheme joiner', 'a\u034Fb'],
    ['variation selector after a letter', 'a\uFE0Fb'],
    ['lone high surrogate', 'a\uD800b'],
    ['lone low surrogate', 'a\uDC00b'],
    ['noncharacter', 'a\uFFFEb'],
    ['noncharacter plane 1', 'a\u{1FFFF}b'],
    ['right-to-left override', 'a\u202Eb'],
    ['left-to-right mark', 'a\u200Eb'],
    ['ZWJ between Latin letters', 'a\u200Db'],
    ['ZWNJ between Latin letters', 'a\u200Cb'],
    ['ZWJ at the start', '\u200Dab'],
    ['ZWJ between an emoji and a letter', '\u{1F468}\u200Da'],
    ['interlinear annotation', 'a\uFFF9b'],
    ['line separator', 'a\u2028b'],
  ];
  it.each(rejected)('rejects a %s, naming the code point', (_what, value) => {
    const error = rejection('description', value);
    expect(error.message).toMatch(/without control characters or invisible characters \(found U\+[0-9A-F]{4,5} at character \d+/);
    expect(error.message).not.toMatch(/[\u200B-\u200F\u202A-\u202E\uFEFF\u00AD]/u);
  });

  it.each([
    ['an emoji ZWJ sequence', 'Family \u{1F468}\u200D\u{1F469}\u200D\u{1F467}'],
    ['an emoji with VS16 in a ZWJ sequence', 'Rainbow \u{1F3F3}\uFE0F\u200D\u{1F308}'],
    ['Persian with ZWNJ', 'می\u200Cخواهم'],
    ['Devanagari with ZWJ', 'क्\u200Dष'],
    ['a heart with VS16', 'Made with \u2764\uFE0F'],
  ])('accepts %s', (_what, value) => {
    expect(validateAnswer(q('description'), value, {}, flag)).toBe(value);
  });
});
