import { describe, expect, it } from 'vitest';
import { FreeText } from '../../src/escape/free-text.js';
import { createRenderer } from '../../src/render/renderer.js';

const render = (source: string, context: object = {}, partials: Record<string, string> = {}) =>
  createRenderer(partials).compile('t.yml', source)(context);

describe('renderer', () => {
  it('leaves GitHub Actions expressions exactly as written', () => {
    const source = 'run: echo "${{ github.sha }}" ${{ matrix.python-version }}\nif: ${{ always() }}\n';
    expect(render(source)).toBe(source);
  });

  it('writes escaped mustaches literally (Prometheus, Grafana, GitLab)', () => {
    expect(render('summary: \\{{ $labels.instance }} is {{name}}\nlegend: \\{{route}}', { name: 'down' })).toBe(
      'summary: {{ $labels.instance }} is down\nlegend: {{route}}',
    );
  });

  it('fails on a missing variable naming the template and the variable', () => {
    expect(() => render('port: {{prot}}', { port: 8000 })).toThrow(/template t.yml: "prot" not defined/);
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
});
