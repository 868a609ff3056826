// One Python version (major.minor) in pyproject (requires-python and tool
// targets), .python-version, the Dockerfile base images and CI.

import { parse as parseToml } from 'smol-toml';
import { lineOfMatch, missingFile, outcome, plural } from '../check-result.js';
import { readCiConfig } from '../parse/ci-config.js';
import { readDockerfile } from '../parse/dockerfile.js';
import { asRecord, getIn } from '../parse/yaml-file.js';
import type { Rule, Finding, RepoView } from '../types.js';

interface VersionUse {
  what: string;
  version: string;
  file: string;
  line?: number | undefined;
}

export const pythonVersionCheck: Rule = {
  title: 'One Python version across pyproject, Dockerfile and CI',
  applies: () => true,
  async run(repo) {
    const findings: Finding[] = [];
    const uses: VersionUse[] = [];
    if (!repo.exists('pyproject.toml')) findings.push(missingFile('pyproject.toml', 'it declares the package and its Python version'));
    else uses.push(...(await pyprojectVersions(repo, findings)));
    if (repo.exists('.python-version')) {
      const version = majorMinor((await repo.read('.python-version')).trim());
      if (version) uses.push({ what: '.python-version', version, file: '.python-version', line: 1 });
    }
    for (const stage of (await readDockerfile(repo)) ?? []) {
      if (stage.imageName.split('/').pop() !== 'python') continue;
      const version = stage.tag ? majorMinor(stage.tag) : undefined;
      if (version) uses.push({ what: `Dockerfile FROM ${stage.image}`, version, file: 'Dockerfile', line: stage.line });
    }
    uses.push(...(await ciVersions(repo, findings)));
    const reference = uses[0];
    if (!reference) return outcome(findings);
    for (const use of uses.slice(1)) {
      if (use.version !== reference.version) {
        findings.push({
          file: use.file,
          line: use.line,
          message: `${use.what} uses Python ${use.version}, but ${reference.what} says ${reference.version}.`,
          fix: `Use Python ${reference.version} here, or move every place to the new version together.`,
        });
      }
    }
    return outcome(findings, `Python ${reference.version} in ${plural(uses.length, 'place')}`);
  },
};

export function majorMinor(text: string): string | undefined {
  const match = /(?<![\d.])3\.(\d{1,2})(?!\d)/.exec(text);
  return match ? `3.${match[1]}` : undefined;
}

async function pyprojectVersions(repo: RepoView, findings: Finding[]): Promise<VersionUse[]> {
  const text = await repo.read('pyproject.toml');
  let data: Record<string, unknown>;
  try {
    data = parseToml(text) as Record<string, unknown>;
  } catch (error) {
    findings.push({ file: 'pyproject.toml', line: (error as { line?: number }).line, message: `TOML error: ${(error as Error).message.split('\n')[0]}`, fix: 'Fix the TOML syntax.' });
    return [];
  }
  const uses: VersionUse[] = [];
  const add = (what: string, value: unknown, convert: (text: string) => string | undefined, pattern: RegExp) => {
    if (typeof value !== 'string') return;
    const version = convert(value);
    if (version) uses.push({ what, version, file: 'pyproject.toml', line: lineOfMatch(text, pattern) });
  };
  // requires-python's lower bound is the version the project is built for.
  add('pyproject requires-python', getIn(data, ['project', 'requires-python']), lowerBound, /^\s*requires-python\s*=/);
  const tool = asRecord(data.tool) ?? {};
  add('[tool.ruff] target-version', getIn(tool, ['ruff', 'target-version']), fromTarget, /^\s*target-version\s*=/);
  add('[tool.mypy] python_version', getIn(tool, ['mypy', 'python_version']), majorMinor, /^\s*python_version\s*=/);
  add('[tool.pyright] pythonVersion', getIn(tool, ['pyright', 'pythonVersion']), majorMinor, /^\s*pythonVersion\s*=/);
  return uses;
}

function lowerBound(specifier: string): string | undefined {
  const match = /(?:>=|~=|==)\s*(3\.\d+)/.exec(specifier);
  return match ? majorMinor(match[1]!) : undefined;
}

function fromTarget(target: string): string | undefined {
  const match = /^py3(\d{1,2})$/.exec(target);
  return match ? `3.${match[1]}` : undefined;
}

async function ciVersions(repo: RepoView, findings: Finding[]): Promise<VersionUse[]> {
  const config = await readCiConfig(repo);
  findings.push(...config.errors);
  const uses: VersionUse[] = [];
  for (const pipeline of config.pipelines) {
    const { doc } = pipeline;
    for (const job of pipeline.jobs) {
      for (const step of job.steps) {
        if (step.uses?.startsWith('actions/setup-python@') || step.uses?.startsWith('astral-sh/setup-uv@')) {
          const value = step.with['python-version'];
          const version = typeof value === 'string' || typeof value === 'number' ? majorMinor(String(value)) : undefined;
          if (version) uses.push({ what: `${job.id}: ${step.uses.split('@')[0]} python-version`, version, file: pipeline.file, line: doc.lineOf([...step.path, 'with', 'python-version']) });
        }
      }
      // GitLab jobs (and GitHub container jobs) run in a python:X.Y image.
      for (const [key, image] of [['image', job.raw.image], ['container', job.raw.container]] as const) {
        const name = typeof image === 'string' ? image : asRecord(image)?.name ?? asRecord(image)?.image;
        if (typeof name === 'string' && /(^|\/)python:/.test(name)) {
          const version = majorMinor(name.split(':')[1] ?? '');
          if (version) uses.push({ what: `${job.id}: ${key} ${name}`, version, file: pipeline.file, line: doc.lineOf([...job.path, key]) });
        }
      }
    }
    const globalImage = getIn(doc.data, ['default', 'image']) ?? getIn(doc.data, ['image']);
    const name = typeof globalImage === 'string' ? globalImage : asRecord(globalImage)?.name;
    if (repo.answers.ci === 'gitlab' && typeof name === 'string' && /(^|\/)python:/.test(name)) {
      const version = majorMinor(name.split(':')[1] ?? '');
      const path = getIn(doc.data, ['default', 'image']) !== undefined ? ['default', 'image'] : ['image'];
      if (version) uses.push({ what: `default image ${name}`, version, file: pipeline.file, line: doc.lineOf(path) });
    }
  }
  // Versions named in CI variables such as PYTHON_VERSION: "3.12".
  for (const pipeline of config.pipelines) {
    for (const [key, value] of Object.entries(pipeline.env)) {
      if (!/^PYTHON_VERSION$/i.test(key)) continue;
      const version = majorMinor(value);
      if (version) uses.push({ what: `CI variable ${key}`, version, file: pipeline.file, line: pipeline.doc.lineOf([repo.answers.ci === 'github' ? 'env' : 'variables', key]) });
    }
  }
  return uses;
}
