// A fresh environment's first deploy gets a champion before the model server:
// training runs inside the cluster (a CronJob that runs the package's train
// module with the image being deployed), the objects it needs carry the
// registry-phase label the bootstrap applies first, and every deploy path runs
// the bootstrap script before it applies the whole overlay. Names come from
// the plan doctor re-derives from .mlforge.yml (context.training, src/derive.ts), as the templates do.

import { lineOfMatch, missingFile, outcome } from '../check-result.js';
import { baseObjects, containersOf, type K8sObject } from '../parse/k8s-manifests.js';
import { asArray, asRecord, getIn } from '../parse/yaml-file.js';
import type { Finding, RepoView, Rule } from '../types.js';
import { servingKinds } from './predict-exposure.js';

/** The file that deploys an overlay for this answer set: CI's deploy step, or the Makefile on kind. */
function deployFile(repo: RepoView): string {
  if (repo.answers.cloud === 'local') return 'Makefile';
  return repo.answers.ci === 'github' ? '.github/actions/deploy/action.yml' : '.gitlab-ci.yml';
}

/** Whether a deploy-values replacement of `key` targets `kind`/`name`. */
function replaced(objects: readonly K8sObject[], key: string, kind: string, name: string): boolean {
  const component = objects.find((object) => object.kind === 'Component' && object.doc.file.endsWith('components/deploy-values/kustomization.yaml'));
  return asArray(asRecord(component?.doc.data)?.replacements).some((entry) => {
    const replacement = asRecord(entry);
    if (asRecord(replacement?.source)?.fieldPath !== `data.${key}`) return false;
    return asArray(replacement?.targets).some((target) => {
      const select = asRecord(asRecord(target)?.select);
      return select?.kind === kind && select?.name === name;
    });
  });
}

/**
 * A finding when the CronJob's container named `container` does not run exactly
 * `python -m <module>` (the train, gate and promote CronJobs all run the package's modules).
 */
export function moduleCommandFinding(cronJob: K8sObject, container: string, module: string, fix: string): Finding | undefined {
  const found = containersOf([cronJob]).find((entry) => entry.name === container);
  const command = [...asArray(found?.spec.command), ...asArray(found?.spec.args)].map(String);
  if (found && command.join(' ') === `python -m ${module}`) return undefined;
  return { file: cronJob.doc.file, line: cronJob.doc.lineOf(['spec']), message: `CronJob ${cronJob.name} does not run \`python -m ${module}\` in a container named ${container} (it runs ${JSON.stringify(command)}).`, fix };
}

export const firstChampionCheck: Rule = {
  title: 'A fresh environment trains its first champion in the cluster before the model server is deployed',
  applies: () => true,
  async run(repo) {
    const { context } = await repo.expected();
    const { training } = context;
    const findings: Finding[] = [];
    const { objects, errors } = await baseObjects(repo);
    findings.push(...errors);
    const label = (object: K8sObject) => asRecord(getIn(object.doc.data, ['metadata', 'labels']))?.[training.phaseLabel];
    const cronJob = objects.find((object) => object.kind === 'CronJob' && object.name === training.cronJob);
    if (!cronJob) {
      findings.push({
        file: 'deploy/k8s/base',
        message: `No CronJob ${training.cronJob}: nothing trains inside the cluster, so a fresh environment never gets a champion and the model server is never ready.`,
        fix: `Restore deploy/k8s/base/train-cronjob.yaml (regenerate with mlforge update) and list it in deploy/k8s/base/kustomization.yaml.`,
      });
    } else {
      const module = `${context.packageName}.train`;
      const wrong = moduleCommandFinding(cronJob, training.container, module, `Run \`python -m ${module}\`: it registers a candidate and makes the first one that passes the gate the champion.`);
      if (wrong) findings.push(wrong);
      for (const key of ['IMAGE', 'GIT_SHA']) {
        if (!replaced(objects, key, 'CronJob', training.cronJob)) {
          findings.push({ file: `deploy/k8s/components/deploy-values/kustomization.yaml`, message: `No deploy-values replacement copies ${key} into CronJob ${training.cronJob}: the first champion would be trained by ${key === 'IMAGE' ? 'a placeholder image, not the one being deployed' : 'an image whose commit goes unrecorded'}.`, fix: `Add the CronJob as a target of the data.${key} replacement.` });
        }
      }
    }
    // What the bootstrap applies before there is a champion: MLflow, the settings the job reads, the job.
    const needed = [
      { kind: 'CronJob', name: training.cronJob },
      { kind: 'Deployment', name: 'mlflow' },
      { kind: 'Service', name: 'mlflow' },
      { kind: 'ConfigMap', name: `${context.name}-config` },
      { kind: 'ServiceAccount', name: training.serviceAccount },
      { kind: 'NetworkPolicy', name: 'default-deny' },
    ];
    for (const { kind, name } of needed) {
      const object = objects.find((candidate) => candidate.kind === kind && candidate.name === name);
      if (object && label(object) !== training.phase) {
        findings.push({ file: object.doc.file, line: object.doc.lineOf(['metadata']), message: `${kind} ${name} lacks the label ${training.phaseLabel}: ${training.phase}, so ${training.script} does not apply it before the first champion is trained.`, fix: `Add ${training.phaseLabel}: ${training.phase} to its metadata.labels.` });
      }
    }
    for (const object of objects.filter((candidate) => servingKinds.includes(candidate.kind) && candidate.name === context.name)) {
      if (label(object) !== undefined) {
        findings.push({ file: object.doc.file, line: object.doc.lineOf(['metadata']), message: `The model server ${object.kind} ${object.name} carries ${training.phaseLabel}: it would be deployed before a champion exists and without its pinned model version.`, fix: `Remove the ${training.phaseLabel} label from the model server.` });
      }
    }
    if (!repo.exists(training.script)) findings.push(missingFile(training.script, 'every deploy runs it to train the first champion and resolve the model version'));
    const deploy = deployFile(repo);
    if (!repo.exists(deploy)) {
      findings.push(missingFile(deploy, 'it deploys the overlays'));
    } else {
      const text = await repo.read(deploy);
      // An invocation: the script with the overlay as its argument (not a mention in a comment or a message).
      const bootstrapAt = text.search(new RegExp(`(?:^|[\\s$(])(?:sh\\s+)?${training.script.replace(/[.]/g, '\\.')}\\s+(?:"\\$OVERLAY"|\\$OVERLAY|staging|prod)(?![\\w-])`, 'm'));
      const applyAt = text.search(/kubectl\s+apply\s+(?:--kustomize|-k)\s+"?deploy\/k8s\/overlays\//);
      if (bootstrapAt === -1 || (applyAt !== -1 && bootstrapAt > applyAt)) {
        findings.push({
          file: deploy,
          line: applyAt === -1 ? undefined : lineOfMatch(text, /kubectl\s+apply\s+(?:--kustomize|-k)\s+"?deploy\/k8s\/overlays\//),
          message: bootstrapAt === -1 ? `The deploy never runs ${training.script}: on a fresh environment no champion exists, the model server stays unready and the first smoke test fails.` : `The deploy applies the overlay before it runs ${training.script}: the model server starts without a champion or a pinned model version.`,
          fix: `Run ${training.script} <overlay> after writing deploy-values.env and before \`kubectl apply --kustomize\`, and deploy the MODEL_VERSION it prints.`,
        });
      }
    }
    return outcome(findings, cronJob ? `CronJob ${training.cronJob}, ${deploy}` : undefined);
  },
};
