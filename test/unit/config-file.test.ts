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
    expect(() => parseConfigText('bad.yml', 'name: [unclosed\n')).toThrow(/Invalid --config bad.yml: not valid YAML or JSON/);
    expect(() => parseConfigText("bad.json", "{\"name\": }")).toThrow(/Invalid --config bad.json: not valid YAML or JSON/);
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
});
