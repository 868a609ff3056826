// The merge engine on its own: line merge, structure-aware YAML/JSON, union rules, markers.

import { describe, expect, it } from 'vitest';
import { mergeText } from '../../src/update/merge-text.js';

const labels = { base: 'mlforge 0.2.0', theirs: 'mlforge 0.3.0' };
const numbered = (count: number, change: Record<number, string> = {}) =>
  `${Array.from({ length: count }, (_, index) => change[index + 1] ?? `line ${index + 1}`).join('\n')}\n`;

describe('mergeText', () => {
  it('keeps an edit on line 3 and a template change on line 40', () => {
    const result = mergeText(numbered(50, { 3: 'mine' }), numbered(50), numbered(50, { 40: 'theirs' }), 'notes.txt', 'merge', labels);
    expect(result).toEqual({ text: numbered(50, { 3: 'mine', 40: 'theirs' }), conflict: false, how: 'lines' });
  });

  it('treats the same change on both sides as clean, and writes labelled diff3 markers for different ones', () => {
    expect(mergeText(numbered(5, { 2: 'same' }), numbered(5), numbered(5, { 2: 'same' }), 'a.txt', 'merge', labels).conflict).toBe(false);
    const result = mergeText(numbered(5, { 2: 'mine' }), numbered(5), numbered(5, { 2: 'theirs' }), 'a.txt', 'merge', labels);
    expect(result.conflict).toBe(true);
    expect(result.text).toBe('line 1\n<<<<<<< yours\nmine\n||||||| mlforge 0.2.0\nline 2\n=======\ntheirs\n>>>>>>> mlforge 0.3.0\nline 3\nline 4\nline 5\n');
  });

  it('merges YAML by structure where lines conflict, keeping your comments', () => {
    const base = 'apiVersion: v1\nkind: ConfigMap\ndata:\n  LOG_LEVEL: info\n';
    const ours = 'apiVersion: v1\nkind: ConfigMap\ndata:\n  LOG_LEVEL: info\n  # ours: needed by the batch job\n  BATCH_SIZE: "64"\n';
    const theirs = 'apiVersion: v1\nkind: ConfigMap\ndata:\n  LOG_LEVEL: info\n  WEB_CONCURRENCY: "2"\n';
    const result = mergeText(ours, base, theirs, 'deploy/k8s/base/configmap.yaml', 'merge', labels);
    expect(result.how).toBe('structure');
    expect(result.text).toBe('apiVersion: v1\nkind: ConfigMap\ndata:\n  LOG_LEVEL: info\n  # ours: needed by the batch job\n  BATCH_SIZE: "64"\n  WEB_CONCURRENCY: "2"\n');
  });

  it('falls back to markers when the same YAML key changed on both sides', () => {
    const base = 'a: 1\nb: 2\n';
    const result = mergeText('a: 1\nb: 3\n', base, 'a: 1\nb: 4\n', 'x.yml', 'merge', labels);
    expect(result).toMatchObject({ conflict: true, how: 'markers' });
  });

  it('merges JSON by structure only when your file round-trips', () => {
    const base = '{\n  "a": 1\n}\n';
    const ours = '{\n  "a": 1,\n  "mine": true\n}\n';
    const theirs = '{\n  "a": 1,\n  "theirs": true\n}\n';
    expect(mergeText(ours, base, theirs, 'dash.json', 'merge', labels)).toEqual({
      text: '{\n  "a": 1,\n  "mine": true,\n  "theirs": true\n}\n',
      conflict: false,
      how: 'structure',
    });
    const unusual = '{ "a": 1,\n  "mine": true }\n';
    expect(mergeText(unusual, base, theirs, 'dash.json', 'merge', labels).conflict).toBe(true);
  });

  it('unions pyproject dependencies both sides added, and takes a version bump you did not touch', () => {
    const base = 'dependencies = [\n  "fastapi>=0.110",\n  "numpy>=2.0",\n]\n';
    const ours = 'dependencies = [\n  "fastapi>=0.110",\n  "numpy>=2.0",\n  "polars>=1.0",\n]\n';
    const theirs = 'dependencies = [\n  "fastapi>=0.115",\n  "numpy>=2.0",\n  "httpx>=0.27",\n]\n';
    const result = mergeText(ours, base, theirs, 'pyproject.toml', 'merge', labels);
    expect(result).toEqual({
      text: 'dependencies = [\n  "fastapi>=0.115",\n  "numpy>=2.0",\n  "polars>=1.0",\n  "httpx>=0.27",\n]\n',
      conflict: false,
      how: 'union',
    });
    const both = mergeText(base.replace('numpy>=2.0', 'numpy==2.1'), base, base.replace('numpy>=2.0', 'numpy>=2.2'), 'pyproject.toml', 'merge', labels);
    expect(both.conflict).toBe(true);
  });

  it('unions lines under the union policy (.gitignore)', () => {
    const result = mergeText('.venv/\nartifacts/\nmine.log\n', '.venv/\nartifacts/\n', '.venv/\nartifacts/\n.cache/\n', '.gitignore', 'union', labels);
    expect(result).toEqual({ text: '.venv/\nartifacts/\nmine.log\n.cache/\n', conflict: false, how: 'union' });
  });
});
