import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfigFile, parseConfigText } from '../../src/answers/config-file.js';

describe('config files', () => {
  it('reads YAML and JSON', () => {
    expect(parseConfigText('a.yml', 'name: churn\ncloud: gcp\n').values).toEqual({ name: 'churn', cloud: 'gcp' });
    expect(parseConfigText('a.json', '{"name": "churn", "gpu": true}').values).toEqual({ name: 'churn', gpu: true });
    expect(parseConfigText('empty.yml', '').values).toEqual({});
  });

  it('rejects bad syntax naming the file', () => {
    expect(() => parseConfigText('bad.yml', 'name: [unclosed\n')).toThrow(/Invalid --config bad.yml: not valid YAML/);
    expect(() => parseConfigText("bad.json", "{\"name\": }")).toThrow(/Invalid --config bad.json: not valid JSON/);
  });

  it('rejects duplicate keys', () => {
    expect(() => parseConfigText('dup.yml', 'name: a\nname: b\n')).toThrow(/dup.yml/);
  });

  it('rejects unknown keys with a suggestion', () => {
    expect(() => parseConfigText('a.yml', 'clod: aws\n')).toThrow('unknown key "clod" (did you mean "cloud"?)');
    expect(() => parseConfigText('a.yml', 'zzzzzzzz: 1\n')).toThrow(/unknown key "zzzzzzzz". Known keys: name, description/);
  });

  it('rejects a top level that is not a mapping', () => {
    expect(() => parseConfigText('list.yml', '- a\n- b\n')).toThrow(/top level must be a mapping/);
    expect(() => parseConfigText('scalar.yml', 'hello\n')).toThrow(/top level must be a mapping/);
  });

  it('accepts a provenance file (.mlforge.yml) as answers', () => {
    const text = 'mlforge: 0.1.0\nschema: 1\nanswers:\n  name: churn\n  cloud: local\n  region: null\nfiles: {}\n';
    expect(parseConfigText('.mlforge.yml', text).values).toEqual({ name: 'churn', cloud: 'local', region: null });
  });

  it('reports a missing file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mlforge-config-'));
    await expect(loadConfigFile(join(dir, 'nope.yml'))).rejects.toThrow(/Cannot read --config .*nope.yml: no such file/);
    await writeFile(join(dir, 'ok.yml'), 'gpu: true\n');
    expect((await loadConfigFile(join(dir, 'ok.yml'))).values).toEqual({ gpu: true });
  });

  it('rejects duplicate keys in JSON as in YAML', () => {
    expect(() => parseConfigText('dup.json', '{"name": "abc", "name": "def"}')).toThrow(/dup.json: not valid JSON: Map keys must be unique/);
  });

  it('rejects explicit tags outside the core schema, accepts core ones', () => {
    expect(() => parseConfigText('t.yml', 'name: !foo abc\n')).toThrow(/Invalid --config t.yml: not valid YAML: Unresolved tag: !foo/);
    expect(() => parseConfigText('t.yml', 'name: !!binary aGVsbG8=\n')).toThrow(/the tag "tag:yaml.org,2002:binary" is not allowed/);
    expect(() => parseConfigText('t.yml', 'name: !!timestamp 2001-12-14\n')).toThrow(/is not allowed/);
    expect(parseConfigText('t.yml', 'name: !!str abc\n').values).toEqual({ name: 'abc' });
  });

  it('takes a version number only when it reads back exactly, never rounded', () => {
    expect(parseConfigText('v.yml', 'python: 3.12\n').values).toEqual({ python: '3.12' });
    expect(parseConfigText('v.json', '{"python": 3.11}').values).toEqual({ python: '3.11' });
    expect(() => parseConfigText('v.yml', 'python: 3.10\n')).toThrow('"python" is the number "3.10", which reads back as 3.1; write it as a string: python: "3.10"');
    expect(() => parseConfigText('v.json', '{"python": 3.10}')).toThrow(/reads back as 3.1/);
    expect(() => parseConfigText('v.yml', 'python: 3.120\n')).toThrow(/reads back as 3.12/);
    expect(parseConfigText('v.yml', 'python: "3.10"\n').values).toEqual({ python: '3.10' });
  });

  it('accepts a UTF-8 byte order mark in YAML and JSON', () => {
    expect(parseConfigText('b.yml', '\uFEFFname: abc\n').values).toEqual({ name: 'abc' });
    expect(parseConfigText('b.json', '\uFEFF{"name": "abc"}').values).toEqual({ name: 'abc' });
  });

  it('validates a .mlforge.yml strictly: only the keys of its schema', () => {
    expect(() => parseConfigText('.mlforge.yml', 'mlforge: 0.1.0\nschema: 1\nanswers: {name: abc}\nfiles: {}\nextra: 1\n')).toThrow(
      /unknown top-level key "extra" for .mlforge.yml schema 1 \(allowed: mlforge, schema, answers, files\)/,
    );
    expect(() => parseConfigText('.mlforge.yml', 'schema: 1\nanswers: {name: abc}\npolicy: {}\n')).toThrow(/unknown top-level key "policy"/);
    expect(() => parseConfigText('.mlforge.yml', 'schema: 9\nanswers: {name: abc}\n')).toThrow(/unknown .mlforge.yml schema 9/);
    const schema2 = 'schema: 2\nversion: 0.2.0\nanswers: {name: abc, python: "3.12"}\nfiles: {}\ntemplates: {}\nexecutable: []\ndeclined: []\npolicy: {}\n';
    expect(parseConfigText('.mlforge.yml', schema2).values).toEqual({ name: 'abc', python: '3.12' });
    expect(() => parseConfigText('.mlforge.yml', 'schema: 1\nanswers: {nmae: abc}\n')).toThrow(/unknown key "nmae"/);
    expect(() => parseConfigText('.mlforge.yml', 'schema: 1\nanswers: {python: 3.10}\n')).toThrow(/reads back as 3.1/);
  });
});
