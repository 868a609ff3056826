// Keeps README.md true: the option table and the example tree are generated
// from the questions table and a real plan. Run with UPDATE_README=1 to rewrite them.

import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderTree } from '../../src/plan/render-tree.js';
import { optionHelp } from '../../src/program.js';
import { questions } from '../../src/questions/table.js';
import { planFor } from '../helpers/generate.js';

const readmePath = new URL('../../README.md', import.meta.url);

function optionTable(): string {
  const rows = questions.map((question) => {
    const flags = question.kind === 'confirm'
      ? `\`--${question.key}\` / \`--no-${question.key}\``
      : `\`--${question.key} <${question.kind === 'text' ? question.placeholder : question.key}>\``;
    return `| ${flags} | ${optionHelp(question).replace(/\|/g, '\\|')} |`;
  });
  return ['| Option | Meaning, choices and default |', '| --- | --- |', ...rows].join('\n');
}

async function exampleTree(): Promise<string> {
  const plan = await planFor({ name: 'churn-model' });
  return ['```text', 'churn-model/', renderTree(plan.files.map((file) => file.path)), '```'].join('\n');
}

function section(text: string, name: string): string | undefined {
  const match = new RegExp(`<!-- ${name}:start -->\\n([\\s\\S]*?)\\n<!-- ${name}:end -->`).exec(text);
  return match?.[1];
}

function replaceSection(text: string, name: string, body: string): string {
  return text.replace(new RegExp(`(<!-- ${name}:start -->\\n)[\\s\\S]*?(\\n<!-- ${name}:end -->)`), `$1${body}$2`);
}

describe('README.md', () => {
  it('has the option table and the example tree that the code produces', async () => {
    let readme = readFileSync(readmePath, 'utf8');
    const expected = { options: optionTable(), tree: await exampleTree() };
    if (process.env.UPDATE_README) {
      for (const [name, body] of Object.entries(expected)) readme = replaceSection(readme, name, body);
      writeFileSync(readmePath, readme);
    }
    expect(section(readme, 'options'), 'run UPDATE_README=1 npx vitest run test/unit/readme.test.ts').toBe(expected.options);
    expect(section(readme, 'tree'), 'run UPDATE_README=1 npx vitest run test/unit/readme.test.ts').toBe(expected.tree);
  });

  it('gives the same test command as .ci/run', () => {
    const readme = readFileSync(readmePath, 'utf8');
    const ci = readFileSync(new URL('../../.ci/run', import.meta.url), 'utf8');
    expect(readme).toContain('npm test');
    expect(ci).toMatch(/^npm test$/m);
  });
});
