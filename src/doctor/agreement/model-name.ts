// The registered model's name and its aliases (champion/challenger) are the
// same in the settings, MLproject, CI and the Kubernetes manifests; a typo
// here makes serving load nothing or promotion move the wrong alias.

import { missingFile, outcome, plural } from '../check-result.js';
import { readCiConfig } from '../parse/ci-config.js';
import { containersOf, k8sObjects } from '../parse/k8s-manifests.js';
import { packageDir, settingsDefaults } from '../parse/python-source.js';
import { asArray, asRecord, getIn, readYaml } from '../parse/yaml-file.js';
import type { Rule, Finding, RepoView } from '../types.js';

interface Use {
  what: string;
  kind: 'name' | 'alias';
  value: string;
  file: string;
  line?: number | undefined;
}

export const modelNameCheck: Rule = {
  title: 'Model name and aliases agree across settings, MLproject, CI and manifests',
  applies: () => true,
  async run(repo) {
    const findings: Finding[] = [];
    const settingsFile = `${await packageDir(repo)}settings.py`;
    if (!repo.exists(settingsFile)) return outcome([missingFile(settingsFile, 'it holds the model name and aliases the service loads')]);
    const settings = await settingsDefaults(repo);
    const nameSetting = settings.get('model_name');
    const reference = nameSetting && typeof nameSetting.value === 'string'
      ? { value: nameSetting.value, where: `${settingsFile}:${nameSetting.line} (model_name)` }
      : { value: (await repo.expected()).context.modelName, where: '.mlforge.yml (the model name mlforge derives from it)' };
    const aliases = new Map<string, string>();
    for (const [field, located] of settings) {
      if (/alias/.test(field) && typeof located.value === 'string') aliases.set(located.value, `${settingsFile}:${located.line} (${field})`);
    }
    const uses = [...(await mlprojectUses(repo)), ...(await kubernetesUses(repo, findings)), ...(await ciUses(repo, findings)), ...(await modelUriUses(repo))];
    for (const use of uses) {
      if (use.kind === 'name' && use.value !== reference.value) {
        findings.push({
          file: use.file,
          line: use.line,
          message: `${use.what} names the model "${use.value}", but ${reference.where} says "${reference.value}".`,
          fix: `Use "${reference.value}" here, or rename the model everywhere together.`,
        });
      }
      if (use.kind === 'alias' && aliases.size > 0 && !aliases.has(use.value)) {
        findings.push({
          file: use.file,
          line: use.line,
          message: `${use.what} uses the model alias "${use.value}", which the settings do not define (${[...aliases.keys()].join(', ')}).`,
          fix: `Use one of ${[...aliases.keys()].map((alias) => `"${alias}"`).join(', ')}.`,
        });
      }
    }
    return outcome(findings, `model "${reference.value}"${aliases.size ? ` with aliases ${[...aliases.keys()].join(', ')}` : ''} in ${plural(uses.length + 1, 'place')}`);
  },
};

function classify(key: string): Use['kind'] | undefined {
  if (/MODEL_NAME$/i.test(key)) return 'name';
  if (/(MODEL|CHAMPION|CHALLENGER)_ALIAS$/i.test(key)) return 'alias';
  return undefined;
}

async function mlprojectUses(repo: RepoView): Promise<Use[]> {
  if (!repo.exists('MLproject')) return [];
  const parsed = await readYaml(repo, 'MLproject');
  const doc = parsed.docs[0];
  const name = getIn(doc?.data, ['name']);
  return doc && typeof name === 'string' ? [{ what: 'MLproject name', kind: 'name', value: name, file: 'MLproject', line: doc.lineOf(['name']) }] : [];
}

async function kubernetesUses(repo: RepoView, findings: Finding[]): Promise<Use[]> {
  const { objects, errors } = await k8sObjects(repo);
  findings.push(...errors);
  const uses: Use[] = [];
  for (const object of objects.filter((candidate) => candidate.kind === 'ConfigMap')) {
    for (const [key, value] of Object.entries(asRecord(getIn(object.doc.data, ['data'])) ?? {})) {
      const kind = classify(key);
      if (kind && typeof value === 'string') uses.push({ what: `ConfigMap ${object.name} ${key}`, kind, value, file: object.doc.file, line: object.doc.lineOf(['data', key]) });
    }
  }
  // kustomize configMapGenerator literals: KEY=value.
  for (const object of objects.filter((candidate) => candidate.kind === 'Kustomization')) {
    asArray(getIn(object.doc.data, ['configMapGenerator'])).forEach((generator, index) => {
      asArray(asRecord(generator)?.literals).forEach((literal, position) => {
        const match = typeof literal === 'string' ? /^([^=]+)=(.*)$/.exec(literal) : null;
        const kind = match ? classify(match[1]!) : undefined;
        if (match && kind) uses.push({ what: `configMapGenerator ${match[1]}`, kind, value: match[2]!, file: object.doc.file, line: object.doc.lineOf(['configMapGenerator', index, 'literals', position]) });
      });
    });
  }
  for (const container of containersOf(objects)) {
    asArray(container.spec.env).forEach((entry, index) => {
      const record = asRecord(entry);
      const kind = typeof record?.name === 'string' ? classify(record.name) : undefined;
      if (kind && typeof record?.value === 'string') {
        uses.push({ what: `${container.object.kind} ${container.object.name} env ${String(record.name)}`, kind, value: record.value, file: container.object.doc.file, line: container.object.doc.lineOf([...container.path, 'env', index, 'value']) });
      }
    });
  }
  return uses;
}

async function ciUses(repo: RepoView, findings: Finding[]): Promise<Use[]> {
  const config = await readCiConfig(repo);
  findings.push(...config.errors);
  const uses: Use[] = [];
  const envKey = repo.answers.ci === 'github' ? 'env' : 'variables';
  for (const pipeline of config.pipelines) {
    const scopes: Array<{ env: Record<string, string>; path: Array<string | number> }> = [
      { env: pipeline.env, path: [envKey] },
      ...pipeline.jobs.map((job) => ({ env: job.env, path: [...job.path, envKey] })),
    ];
    for (const { env, path } of scopes) {
      for (const [key, value] of Object.entries(env)) {
        const kind = classify(key);
        if (kind && !/[$]/.test(value)) uses.push({ what: `CI variable ${key}`, kind, value, file: pipeline.file, line: pipeline.doc.lineOf([...path, key]) });
      }
    }
  }
  return uses;
}

/** `models:/<name>@<alias>` URIs in CI, manifests, compose and the Makefile. */
async function modelUriUses(repo: RepoView): Promise<Use[]> {
  const files = repo.files.filter(
    (file) => /^(\.github\/|deploy\/|\.gitlab-ci\.yml$|Makefile$|docker-compose\.ya?ml$|compose\.ya?ml$)/.test(file) && !/\.(png|jpg|ico)$/.test(file),
  );
  const uses: Use[] = [];
  for (const file of files) {
    (await repo.read(file)).split('\n').forEach((text, index) => {
      for (const match of text.matchAll(/models:\/([A-Za-z0-9_.-]+)(?:@([A-Za-z0-9_-]+))?/g)) {
        uses.push({ what: `The model URI ${match[0]}`, kind: 'name', value: match[1]!, file, line: index + 1 });
        if (match[2]) uses.push({ what: `The model URI ${match[0]}`, kind: 'alias', value: match[2], file, line: index + 1 });
      }
    });
  }
  return uses;
}
