// Model lifecycle practices: promotion only after an evaluation gate, a
// scheduled drift check, and a rollback path people can run.

import { missingFile, outcome } from '../check-result.js';
import { ciRunLines, gitlabStages, readCiConfig, runsBefore, type CiConfig } from '../parse/ci-config.js';
import { k8sObjects, containersOf } from '../parse/k8s-manifests.js';
import { packageDir } from '../parse/python-source.js';
import { asArray } from '../parse/yaml-file.js';
import type { Rule, Finding, RepoView } from '../types.js';

const runs = (module: string) => new RegExp(`\\bmake\\s+(?:-\\S+\\s+)*${module}\\b|-m\\s+[A-Za-z_][A-Za-z0-9_]*\\.${module}\\b`);

export const qualityGateCheck: Rule = {
  title: 'Promotion happens only after an evaluation gate',
  applies: () => true,
  async run(repo) {
    const findings: Finding[] = [];
    const dir = await packageDir(repo);
    const promoteFile = `${dir}promote.py`;
    if (!repo.exists(promoteFile)) return outcome([missingFile(promoteFile, 'it promotes a model only when it beats the gate')]);
    const gateFiles = [promoteFile, `${dir}evaluate.py`].filter((file) => repo.exists(file));
    const texts = await Promise.all(gateFiles.map((file) => repo.read(file)));
    if (!texts.some((text) => /threshold|min_[a-z_]+|minimum|baseline|beats?|better than|champion/i.test(text) && /(>=|<=|>|<)/.test(text))) {
      findings.push({ file: promoteFile, message: 'Neither promote.py nor evaluate.py compares the candidate with a threshold or the current champion.', fix: 'Promote only when the evaluation metric passes a configured threshold and is not worse than the champion.' });
    }
    const config = await readCiConfig(repo);
    findings.push(...config.errors);
    // `promote: evaluate` in the Makefile makes every `make promote` evaluate first.
    const makefile = repo.exists('Makefile') ? await repo.read('Makefile') : '';
    if (!/^promote\s*:[^\n=]*\bevaluate\b/m.test(makefile)) findings.push(...ciGateFindings(config));
    return outcome(findings);
  },
};

/** A CI job that promotes must run evaluation first (earlier in the job, or in a job it depends on). */
function ciGateFindings(config: CiConfig): Finding[] {
  const findings: Finding[] = [];
  const lines = ciRunLines(config);
  for (const promote of lines.filter((entry) => runs('promote').test(entry.text))) {
    const { pipeline, job } = promote;
    const before = job.steps.slice(0, job.steps.indexOf(promote.step) + 1).map((step) => step.run ?? '').join('\n');
    const evaluateAt = before.search(runs('evaluate'));
    const sameJob = evaluateAt !== -1 && evaluateAt < before.search(runs('promote'));
    const evaluateJobs = pipeline.jobs.filter((candidate) => candidate !== job && candidate.steps.some((step) => step.run && runs('evaluate').test(step.run)));
    const stages = config.system === 'gitlab' ? gitlabStages(pipeline) : [];
    if (sameJob || evaluateJobs.some((evaluate) => runsBefore(pipeline, evaluate, job, stages))) continue;
    findings.push({
      file: pipeline.file,
      line: pipeline.doc.lineOf(promote.step.path),
      message: `CI job ${job.id} promotes a model without an evaluation step before it.`,
      fix: 'Run `make evaluate` first in the same job, or make the promote job depend on (needs:) the evaluation job.',
    });
  }
  return findings;
}

export const driftMonitoringCheck: Rule = {
  title: 'Data drift is checked on a schedule',
  applies: () => true,
  async run(repo) {
    const driftFile = `${await packageDir(repo)}drift.py`;
    if (!repo.exists(driftFile)) return outcome([missingFile(driftFile, 'it compares live data with the training reference')]);
    const config = await readCiConfig(repo);
    const scheduledInCi = ciRunLines(config).some(({ pipeline, job, text }) => {
      if (!runs('drift').test(text)) return false;
      if (config.system === 'github') return pipeline.triggers.includes('schedule');
      return /schedule/.test(JSON.stringify(job.raw.rules ?? job.raw.only ?? ''));
    });
    const { objects } = await k8sObjects(repo);
    const cronJob = containersOf(objects.filter((object) => object.kind === 'CronJob')).some((container) =>
      /drift/.test([...asArray(container.spec.command), ...asArray(container.spec.args)].join(' ')),
    );
    if (scheduledInCi || cronJob) return outcome([], scheduledInCi ? 'scheduled CI job' : 'Kubernetes CronJob');
    return outcome([
      {
        file: driftFile,
        message: 'Nothing runs the drift check on a schedule (no scheduled CI job and no CronJob runs it).',
        fix: repo.answers.ci === 'github' ? 'Add a workflow with `on: schedule` that runs `make drift`.' : 'Add a job with `rules: - if: $CI_PIPELINE_SOURCE == "schedule"` that runs `make drift`.',
      },
    ]);
  },
};

export const rollbackCheck: Rule = {
  title: 'A documented rollback path exists',
  applies: () => true,
  async run(repo) {
    const findings: Finding[] = [];
    if (!repo.exists('Makefile')) return outcome([missingFile('Makefile', 'it is the task runner with the rollback target')]);
    const makefile = await repo.read('Makefile');
    if (!/^rollback\s*:/m.test(makefile)) {
      findings.push({ file: 'Makefile', message: 'The Makefile has no `rollback` target.', fix: 'Add `rollback:` that moves the champion alias back to the previous model version.' });
    }
    const docs = repo.files.filter((file) => file === 'README.md' || (file.startsWith('docs/') && file.endsWith('.md')));
    let documented = false;
    for (const file of docs) if (/roll\s?back/i.test(await repo.read(file))) documented = true;
    const config = await readCiConfig(repo);
    const automated = ciRunLines(config).some(({ text }) => runs('rollback').test(text));
    if (!documented && !automated) {
      findings.push({ file: 'README.md', message: 'No README/docs section or CI job explains how to roll back.', fix: 'Document the rollback steps (model alias and deployment) in README.md or docs/.' });
    }
    return outcome(findings, [automated ? 'CI job' : '', documented ? 'documented' : ''].filter(Boolean).join(', '));
  },
};
