// yaml, json, toml and docker helpers: every hostile or random string, once
// escaped and embedded in a document, parses back to exactly the input with
// the real parser of that format, and stays on one line.

import fc from 'fast-check';
import { DockerfileParser } from 'dockerfile-ast';
import { validate as validateDockerfile } from 'dockerfile-utils';
import { parse as parseToml } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { dockerfileString, jsonString, tomlString, yamlString } from '../../src/escape/formats.js';
import { findPyYaml, pythonJson, skipNote } from '../hostile/tools.js';
import { hostileString, isLineText, sampleStrings, seed } from './samples.js';

const runs = { seed, numRuns: 300 };
const oneLine = (text: string) => !/[\n\r]/.test(text);

describe('yaml helper', () => {
  it('round-trips through the yaml parser as a mapping value, block item and flow item', () => {
    fc.assert(
      fc.property(hostileString, (value) => {
        const literal = yamlString(value);
        expect(oneLine(literal)).toBe(true);
        expect(parseYaml(`key: ${literal}\n`)).toEqual({ key: value });
        expect(parseYaml(`outer:\n  - ${literal}\n  - after\n`)).toEqual({ outer: [value, 'after'] });
        expect(parseYaml(`{a: [${literal}, ${literal}], b: 1}\n`)).toEqual({ a: [value, value], b: 1 });
      }),
      runs,
    );
  });

  const pyyaml = findPyYaml();
  it.skipIf(skipNote('PyYAML (python3-yaml)', pyyaml !== undefined))('round-trips through PyYAML, a YAML 1.1 reader like yamllint and Go consumers', async () => {
    // Every input, not only accepted text: YAML 1.1 also breaks lines at U+0085, U+2028 and U+2029.
    const values = sampleStrings(300);
    const documents = values.map((value) => `key: ${yamlString(value)}\nlist: [${yamlString(value)}]\n`);
    const parsed = await pythonJson<Array<{ key: string; list: string[] }>>(
      pyyaml!,
      'import json, sys, yaml\nprint(json.dumps([yaml.safe_load(d) for d in json.load(sys.stdin)]))',
      documents,
    );
    parsed.forEach((document, index) => expect(document, documents[index]).toEqual({ key: values[index], list: [values[index]] }));
  });
});

describe('json helper', () => {
  it('round-trips through JSON.parse inside an object', () => {
    fc.assert(
      fc.property(hostileString, (value) => {
        const literal = jsonString(value);
        expect(oneLine(literal)).toBe(true);
        expect(JSON.parse(`{"key": ${literal}, "list": [${literal}]}`)).toEqual({ key: value, list: [value] });
      }),
      runs,
    );
  });
});

describe('toml helper', () => {
  it('round-trips through smol-toml as a key, inline-table and array value', () => {
    fc.assert(
      fc.property(hostileString, (value) => {
        const literal = tomlString(value);
        expect(oneLine(literal)).toBe(true);
        const document = `key = ${literal}\nauthors = [{ name = ${literal} }]\n[table]\nafter = 1\n`;
        expect(parseToml(document)).toEqual({ key: value, authors: [{ name: value }], table: { after: 1 } });
      }),
      runs,
    );
  });
});

// Docker's word processing in double quotes (moby shell lexer): a backslash
// escapes `"`, `$` and itself; any other backslash stays literal.
function dockerDoubleQuoted(raw: string): string {
  expect(raw.startsWith('"') && raw.endsWith('"')).toBe(true);
  let out = '';
  const body = raw.slice(1, -1);
  for (let i = 0; i < body.length; i++) {
    const char = body[i]!;
    if (char === '\\' && ['"', '$', '\\'].includes(body[i + 1] ?? '')) out += body[++i];
    else {
      // An unescaped quote would end the word and an unescaped $ would expand.
      expect(char === '"' || char === '$', `unescaped ${char} in ${raw}`).toBe(false);
      out += char;
    }
  }
  return out;
}

describe('docker helper', () => {
  it('gives one LABEL/ENV value that dockerfile-ast parses and Docker reads back verbatim', () => {
    fc.assert(
      fc.property(hostileString.filter(isLineText), (value) => {
        const literal = dockerfileString(value);
        const text = `FROM scratch\nLABEL org.opencontainers.image.description=${literal} other="x"\nENV APP_TEXT=${literal}\nUSER 10001\n`;
        const dockerfile = DockerfileParser.parse(text);
        expect(dockerfile.getInstructions().map((instruction) => instruction.getKeyword())).toEqual(['FROM', 'LABEL', 'ENV', 'USER']);
        const label = dockerfile.getInstructions()[1] as unknown as { getProperties(): Array<{ getName(): string; getUnescapedValue(): string | null }> };
        const properties = label.getProperties();
        expect(properties.map((property) => property.getName())).toEqual(['org.opencontainers.image.description', 'other']);
        expect(dockerDoubleQuoted(properties[0]!.getUnescapedValue()!)).toBe(value);
        // dockerfile-utils 0.16 re-reads the unquoted content of a double-quoted word, so it rejects
        // values starting with " or ' that moby's lexer reads fine; those are left to the check above.
        if (!/^["']/.test(value)) {
          const errors = validateDockerfile(text).filter((diagnostic) => diagnostic.severity === 1);
          expect(errors.map((error) => error.message)).toEqual([]);
        }
      }),
      runs,
    );
  });

  it('never lets a control character break the line, even for input the rules reject', () => {
    fc.assert(
      fc.property(hostileString, (value) => {
        expect(oneLine(dockerfileString(value))).toBe(true);
        expect(DockerfileParser.parse(`FROM scratch\nLABEL a=${dockerfileString(value)}\n`).getInstructions()).toHaveLength(2);
      }),
      runs,
    );
  });
});
