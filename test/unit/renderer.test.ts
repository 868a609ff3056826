// Both template engines on the same cases: Handlebars compiling the sources
// (tests, a templates folder) and the templates compiled to plain JavaScript at
// build time (what `mlforge new` runs). Same output, same errors.

import { describe, expect, it } from 'vitest';
import { FreeText } from '../../src/escape/free-text.js';
import { compileTemplateToJs } from '../../src/render/compile-template.js';
import { namedTemplate } from '../../src/render/helpers.js';
import { createRenderer } from '../../src/render/renderer.js';
import { runtime } from '../../src/render/template-runtime.js';

type Render = (source: string, context?: object, partials?: Record<string, string>) => string;

const viaHandlebars: Render = (source, context = {}, partials = {}) => createRenderer(partials).compile('t.yml', source)(context);

const viaCompiledJs: Render = (source, context = {}, partials = {}) => {
  const names = Object.keys(partials);
  const functions: Record<string, (context: object) => string> = {};
  const load = (path: string, text: string) =>
    new Function('rt', 'partials', `return ${compileTemplateToJs(path, text, names)};`)(runtime, functions) as (context: object) => string;
  for (const [name, text] of Object.entries(partials)) functions[name] = load(`partials/${name}`, text);
  return namedTemplate('t.yml', load('t.yml', source))(context);
};

describe.each([
  ['Handlebars from source', viaHandlebars],
  ['compiled to JavaScript', viaCompiledJs],
] as const)('renderer: %s', (_engine, render) => {
  it('leaves GitHub Actions expressions exactly as written', () => {
    const source = 'run: echo "${{ github.sha }}" ${{ matrix.python-version }}\nif: ${{ always() }}\n';
    expect(render(source)).toBe(source);
  });

  it('writes escaped mustaches literally (Prometheus, Grafana, GitLab)', () => {
    expect(render('summary: \\{{ $labels.instance }} is {{name}}\nlegend: \\{{route}}', { name: 'down' })).toBe(
      'summary: {{ $labels.instance }} is down\nlegend: {{route}}',
    );
  });

  it('fails on a missing variable naming the template, the variable and where', () => {
    expect(() => render('port: {{prot}}', { port: 8000 })).toThrow('template t.yml: "prot" not defined in the template context - 1:8');
    expect(() => render('a: {{registry.hots}}', { registry: { host: 'x' } })).toThrow('"hots" not defined in the template context - 1:5');
  });

  it('does not HTML-escape', () => {
    expect(render('{{value}}', { value: '<a & "b">' })).toBe('<a & "b">');
  });

  it('allows only its closed set of helpers', () => {
    expect(() => render('{{lookup this "x"}}', {})).toThrow();
    expect(() => render('{{#each items}}{{this}}{{/each}}', { items: [1, 2] })).not.toThrow();
  });

  it('refuses to print free text without an escaping helper', () => {
    const context = { description: new FreeText('a "quoted" #text') };
    expect(() => render('description: {{description}}', context)).toThrow(/escaping helper/);
    expect(render('description: {{yaml description}}', context)).toBe('description: "a \\"quoted\\" #text"');
    expect(render('{{#if description}}yes{{/if}}', context)).toBe('yes');
  });

  it('has logic helpers for conditions', () => {
    const context = { cloud: 'gcp', gpu: false, monitoring: true };
    expect(render('{{#if (oneOf cloud "aws" "gcp")}}managed{{/if}}', context)).toBe('managed');
    expect(render('{{#if (and monitoring (not gpu))}}cpu-monitored{{/if}}', context)).toBe('cpu-monitored');
    expect(render('{{#if (or gpu (eq cloud "azure"))}}x{{else}}y{{/if}}', context)).toBe('y');
    expect(render('{{#if (ne cloud "local")}}cloud{{/if}}', context)).toBe('cloud');
  });

  it('indents standalone partials and keeps them strict', () => {
    const partials = { rules: '- name: a\n  rules: []\n' };
    expect(render('groups:\n  {{> rules}}\n', {}, partials)).toBe('groups:\n  - name: a\n    rules: []\n');
    expect(() => render('{{> missing}}', {})).toThrow(/missing/);
  });

  it("follows Handlebars' truthiness, blocks, whitespace control and standalone lines", () => {
    const context = { zero: 0, empty: [], list: ['a', 'b'], object: { x: 1, y: 2 }, text: '', yes: true, n: 8000, nil: null, fn: () => 'called' };
    const source = [
      '{{#if zero}}zero{{else}}no-zero{{/if}} {{#if empty}}e{{else}}no-empty{{/if}} {{#unless text}}no-text{{else}}t{{/unless}}',
      '{{#if yes}}',
      '  kept: {{n}}',
      '{{else if zero}}',
      '  never',
      '{{/if}}',
      '{{#each list}}- {{this}}\n{{/each}}',
      '{{#each object}}[{{this}}]{{/each}}{{#each empty}}x{{else}}none{{/each}}',
      'nil: "{{nil}}" fn: {{fn}} missing-param: {{#if missingParam}}x{{else}}absent{{/if}}',
      '   {{~#if yes~}}   tight   {{~/if~}}   |',
    ].join('\n');
    expect(render(source, context)).toMatchInlineSnapshot(`
      "no-zero no-empty no-text
        kept: 8000
      - a
      - b
      [1][2]none
      nil: "" fn: called missing-param: absenttight|"
    `);
  });

  it('indents a partial inside a block, line by line, and passes the current context', () => {
    const partials = { item: 'name: {{name}}\nport: {{port}}\n' };
    expect(render('spec:\n  {{#each items}}\n    {{> item}}\n  {{/each}}\n', { items: [{ name: 'a', port: 1 }, { name: 'b', port: 2 }] }, partials)).toBe(
      'spec:\n    name: a\n    port: 1\n    name: b\n    port: 2\n',
    );
  });

  it('reads own properties only, never the prototype chain', () => {
    const context = Object.assign(Object.create({ inherited: 'x' }), { own: 'y' }) as object;
    expect(render('{{#if inherited}}leak{{else}}{{own}}{{/if}}', context)).toBe('y');
  });
});

describe('template compiler: constructs outside what the templates use are refused at build time', () => {
  for (const [construct, source] of [
    ['a parent path', '{{#each list}}{{../name}}{{/each}}'],
    ['a data variable', '{{#each list}}{{@index}}{{/each}}'],
    ['with blocks', '{{#with registry}}{{host}}{{/with}}'],
    ['hash arguments', '{{json value indent=2}}'],
    ['an unknown helper', '{{shout name}}'],
    ['block parameters', '{{#each list as |item|}}{{item}}{{/each}}'],
    ['a missing partial', '{{> nowhere}}'],
  ] as const) {
    it(`${construct}: ${source}`, () => {
      expect(() => compileTemplateToJs('t.yml', source, [])).toThrow(/^template t\.yml:\d+:\d+: .* is not supported by the template compiler$/);
    });
  }
});
