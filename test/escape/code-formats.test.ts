// hcl, py, sh and md helpers, read back by the real consumer: @cdktf/hcl2json
// and `terraform console` for HCL, Python's ast.literal_eval, bash for shell
// words, and CommonMark backslash rules (plus markdown-it when installed).

import { parse as parseHcl } from '@cdktf/hcl2json';
import { execa } from 'execa';
import { createRequire } from 'node:module';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hclString, markdownText, pythonString, shellWord } from '../../src/escape/formats.js';
import { findPython, hasCommand, pythonJson, skipNote } from '../hostile/tools.js';
import { hclTemplateText } from '../hostile/decode.js';
import { isLineText, sampleStrings } from './samples.js';

const values = sampleStrings(300);
const oneLine = (text: string) => !/[\n\r]/.test(text);

describe('hcl helper', () => {
  it('parses with hcl2json as one literal template with no interpolation or directive', async () => {
    const body = values.map((value, index) => `  v${index} = ${hclString(value)}`).join('\n');
    values.forEach((value) => expect(oneLine(hclString(value)), value).toBe(true));
    const parsed = (await parseHcl('escape.tf', `locals {\n${body}\n}\n`)) as { locals: Array<Record<string, string>> };
    // HCL normalises every string literal to Unicode NFC (as Terraform documents), so that is the value read back.
    values.forEach((value, index) => expect(hclTemplateText(parsed.locals[0]![`v${index}`]!), JSON.stringify(value)).toBe(value.normalize('NFC')));
  });

  it.skipIf(skipNote('terraform', hasCommand('terraform', ['version'])))('evaluates to the input in terraform console', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mlforge-hcl-'));
    try {
      const lineValues = values.filter(isLineText);
      const list = lineValues.map((value) => `    ${hclString(value)},`).join('\n');
      await writeFile(join(dir, 'main.tf'), `locals {\n  values = [\n${list}\n  ]\n}\n`);
      await writeFile(join(dir, 'terraformrc'), '');
      const result = await execa('terraform', ['console'], {
        cwd: dir,
        input: 'base64encode(jsonencode(local.values))\n',
        env: { CHECKPOINT_DISABLE: '1', TF_CLI_CONFIG_FILE: join(dir, 'terraformrc'), TF_IN_AUTOMATION: '1' },
      });
      const encoded = JSON.parse(result.stdout.trim()) as string;
      expect(JSON.parse(Buffer.from(encoded, 'base64').toString('utf8'))).toEqual(lineValues.map((value) => value.normalize('NFC')));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('py helper', () => {
  const python = findPython();
  it.skipIf(skipNote('python3', python !== undefined))('is a one-line literal that ast.literal_eval reads back', async () => {
    const literals = values.map(pythonString);
    literals.forEach((literal) => expect(oneLine(literal), literal).toBe(true));
    const evaluated = await pythonJson<string[]>(
      python!,
      'import ast, json, sys\nprint(json.dumps([ast.literal_eval(s) for s in json.load(sys.stdin)]))',
      literals,
    );
    expect(evaluated).toEqual(values);
  });

  it.skipIf(skipNote('python3', python !== undefined))('compiles inside a module next to code (a docstring end cannot escape)', async () => {
    const module = values.map((value, index) => `V${index} = ${pythonString(value)}\n`).join('') + 'RESULT = [' + values.map((_, index) => `V${index}`).join(', ') + ']\n';
    const result = await pythonJson<string[]>(
      python!,
      'import json, sys\nns = {}\nexec(compile(json.load(sys.stdin), "m.py", "exec"), ns)\nprint(json.dumps(ns["RESULT"]))',
      module,
    );
    expect(result).toEqual(values);
  });
});

describe('sh helper', () => {
  it.skipIf(skipNote('bash', hasCommand('bash')))('is one word that bash prints back unexpanded', async () => {
    // A NUL cannot live in a shell string; the free-text rules reject it anyway.
    const words = values.filter((value) => !value.includes('\u0000'));
    const script = words.map((word) => `printf '%s\\0' ${shellWord(word)}`).join('\n') + '\n';
    const result = await execa('bash', ['-c', script], { env: { HOME: '/nonexistent', PATH: process.env.PATH ?? '' }, stripFinalNewline: false });
    expect(result.stdout.split('\u0000').slice(0, -1)).toEqual(words);
  });
});

/** CommonMark: a backslash before ASCII punctuation is that literal character. */
function commonMarkUnescape(text: string): string {
  return text.replace(/\\([!-/:-@[-`{-~])/g, '$1');
}

describe('md helper', () => {
  const lineValues = values.filter(isLineText);
  it('escapes only what Markdown would read as markup, and unescapes to the input', () => {
    for (const value of lineValues) {
      const escaped = markdownText(value);
      const bare = escaped.replace(/\\[!-/:-@[-`{-~]/g, '');
      expect(bare, `unescaped markup character in ${escaped}`).not.toMatch(/[\\`*_[\]<>&|~$@]/);
      expect(commonMarkUnescape(escaped)).toBe(value);
    }
    expect(markdownText('A machine-learning model service.')).toBe('A machine-learning model service.');
    expect(markdownText("Scores payments: it's 99% fast, (mostly)!")).toBe("Scores payments: it's 99% fast, (mostly)!");
    expect(markdownText('# 1. *see* <b> https://x.io a|b')).toBe('\\# 1. \\*see\\* \\<b\\> https\\://x\\.io a\\|b');
    expect(markdownText('2) two')).toBe('2\\) two');
  });

  const markdownIt = loadMarkdownIt();
  it.skipIf(skipNote('markdown-it', markdownIt !== undefined))('renders as one plain-text paragraph in a CommonMark parser', async () => {
    const md = (await markdownIt!)({ html: true, linkify: true });
    for (const value of lineValues.filter((v) => v.trim() === v && v !== '')) {
      // Block parsing, so headings, lists, quotes and HTML blocks would show up as their own tokens.
      const blocks = md.parse(markdownText(value), {});
      expect(blocks.map((token) => token.type), value).toEqual(['paragraph_open', 'inline', 'paragraph_close']);
      const inline = blocks[1]!.children!;
      // markdown-it reports backslash escapes as text_special before joining them into text.
      expect(inline.filter((token) => !['text', 'text_special'].includes(token.type)), value).toEqual([]);
      expect(inline.map((token) => token.content).join(''), value).toBe(value);
    }
  });
});

interface MarkdownToken {
  type: string;
  content: string;
  children: MarkdownToken[] | null;
}
type MarkdownIt = (options: object) => { parse(text: string, env: object): MarkdownToken[] };
function loadMarkdownIt(): Promise<MarkdownIt> | undefined {
  const specifier = 'markdown-it'; // optional devDependency: a variable keeps tsc from requiring it
  try {
    createRequire(import.meta.url).resolve(specifier);
    return import(specifier).then((module: { default: MarkdownIt }) => module.default);
  } catch {
    return undefined;
  }
}
