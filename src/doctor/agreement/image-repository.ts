// The image repository CI pushes to is the one the Kubernetes overlays deploy
// (deploy-values IMAGE, kustomize `images:`) and the one Terraform creates; the
// same for the MLflow server image (deploy/mlflow: CI's mlflow-image and
// MLFLOW_REGISTRY_IMAGE, deploy-values MLFLOW_IMAGE). Each registry Terraform
// makes is one of the two.
// Account or project IDs may be CI variables in one place and examples in
// another: a `${VAR}` part matches any single path segment.

import { outcome, plural, skippedOutcome } from '../check-result.js';
import { imageBaseName, imageRepository } from '../parse/app-containers.js';
import { ciFiles, readCiConfig } from '../parse/ci-config.js';
import { k8sObjects, k8sRoot } from '../parse/k8s-manifests.js';
import { readTerraform, resolveTfString } from '../parse/terraform.js';
import { asArray, asRecord, getIn } from '../parse/yaml-file.js';
import type { Rule, Finding, RepoView } from '../types.js';

interface ImageUse {
  what: string;
  repository: string;
  file: string;
  line?: number | undefined;
}

export const imageRepositoryCheck: Rule = {
  title: 'CI, Kubernetes overlays and Terraform use one image repository',
  applies: () => true,
  async run(repo) {
    const findings: Finding[] = [];
    const uses = [...(await ciImages(repo, findings, 'service')), ...(await deployImages(repo, findings, 'service'))];
    const serverUses = [...(await ciImages(repo, findings, 'mlflow')), ...(await deployImages(repo, findings, 'mlflow'))];
    const reference = uses[0];
    if (!reference) return skippedOutcome('no image reference found in CI or deploy/k8s');
    agree(uses, findings);
    agree(serverUses, findings);
    const registries = await terraformRegistries(repo, findings);
    for (const registry of registries) {
      const expected = registry.expectedIn(reference.repository);
      const server = serverUses[0] && registry.expectedIn(serverUses[0].repository);
      if (server !== undefined && sameSegment(server, registry.name)) continue;
      if (expected !== undefined && !sameSegment(expected, registry.name)) {
        findings.push({
          file: registry.file,
          message: `Terraform ${registry.type} is named "${registry.name}", but ${reference.what} pushes to ${reference.repository} (expects "${expected}").`,
          fix: `Name the registry "${expected}" in Terraform, or change CI and the overlays to "${registry.name}".`,
        });
      }
    }
    const server = serverUses[0] ? `; ${serverUses[0].repository} in ${plural(serverUses.length, 'place')}` : '';
    return outcome(findings, `${reference.repository} in ${plural(uses.length + registries.length, 'place')}${server}`);
  },
};

/** Every use names the first one's repository. */
function agree(uses: ImageUse[], findings: Finding[]): void {
  const [reference, ...rest] = uses;
  if (!reference) return;
  for (const use of rest) {
    if (!sameRepository(use.repository, reference.repository)) {
      findings.push({
        file: use.file,
        line: use.line,
        message: `${use.what} is ${use.repository}, but ${reference.what} (${reference.file}${reference.line ? `:${reference.line}` : ''}) is ${reference.repository}.`,
        fix: `Use ${reference.repository} here, or change the image repository everywhere together.`,
      });
    }
  }
}

/** Equal, where a `${VAR}` part of either side stands for any text within one path segment. */
export function sameRepository(a: string, b: string): boolean {
  const pattern = (text: string) =>
    new RegExp(`^${text.split(/\$\{[A-Za-z_][A-Za-z0-9_]*\}/).map((part) => part.replace(/[.*+?^$()|[\]\\{}]/g, '\\$&')).join('[^/]+')}$`);
  return a === b || pattern(a).test(b) || pattern(b).test(a);
}

function sameSegment(expected: string, actual: string): boolean {
  return sameRepository(expected, actual);
}

/** Variables that hold the pushed image's repository (not a bare local name), per image. */
const imageVariables = {
  service: /^(?:image|image_repository|image_repo|image_uri|registry_image|service_image)$/i,
  mlflow: /^(?:mlflow[-_]image|mlflow_registry_image)$/i,
};
type ImageKind = keyof typeof imageVariables;

/**
 * Image references CI pushes or deploys, from every CI file and (GitHub) the
 * repository's composite actions: shell assignments (`image=...`, `IMAGE=...`,
 * `echo "image=..." >> $GITHUB_OUTPUT`), upper-case CI variables, docker
 * -t/push and `kustomize edit set image`.
 */
async function ciImages(repo: RepoView, findings: Finding[], kind: ImageKind): Promise<ImageUse[]> {
  const imageVariable = imageVariables[kind];
  const { context } = await repo.expected();
  const baseName = kind === 'service' ? context.imageName : context.mlflowImageName;
  const config = await readCiConfig(repo);
  findings.push(...config.errors);
  const env: Record<string, string> = {};
  for (const pipeline of config.pipelines) {
    Object.assign(env, pipeline.env);
    for (const job of pipeline.jobs) Object.assign(env, job.env);
  }
  const files = [...ciFiles(repo), ...(repo.answers.ci === 'github' ? repo.files.filter((file) => /^\.github\/actions\/.+\/action\.ya?ml$/.test(file)) : [])];
  const uses: ImageUse[] = [];
  for (const file of files) {
    (await repo.read(file)).split('\n').forEach((line, index) => {
      if (/^\s*#/.test(line)) return;
      const candidates: Array<{ raw: string; byName: boolean }> = [];
      for (const match of line.matchAll(/(?:^|[\s"'(;&])([A-Za-z_][A-Za-z_-]*)=("[^"]*"|'[^']*'|[^\s"';)]+)/g)) {
        if (imageVariable.test(match[1]!)) candidates.push({ raw: match[2]!, byName: true });
      }
      const yamlKey = /^\s*-?\s*([A-Z][A-Z0-9_]*)\s*:\s*(.+?)\s*(?:\s#.*)?$/.exec(line);
      if (yamlKey && imageVariable.test(yamlKey[1]!)) candidates.push({ raw: yamlKey[2]!, byName: true });
      for (const raw of imageArguments(line)) candidates.push({ raw, byName: false });
      const tags = /^\s*tags\s*:\s*(\S+)/.exec(line);
      if (tags) candidates.push({ raw: tags[1]!, byName: false });
      for (const { raw, byName } of candidates) {
        const resolved = resolveCiReference(raw.replace(/^["']|["']$/g, ''), env);
        const repository = imageRepository(resolved);
        // A bare name is a local build tag, not a registry repository.
        if (!repository.includes('/')) continue;
        if (!byName && imageBaseName(repository) !== baseName) continue;
        if (!uses.some((use) => use.repository === repository && use.file === file)) {
          uses.push({ what: `the ${kind === 'mlflow' ? 'MLflow server image' : 'image'} ${file} pushes or deploys`, repository, file, line: index + 1 });
        }
      }
    });
  }
  return uses;
}

/** Image references in a shell line: docker -t/--tag/push and `kustomize edit set image`. */
export function imageArguments(line: string): string[] {
  const out: string[] = [];
  if (/\b(docker|buildx|podman)\b/.test(line)) {
    for (const match of line.matchAll(/(?:\s-t|\s--tag)[=\s]+("[^"]+"|'[^']+'|\S+)/g)) out.push(match[1]!);
    for (const match of line.matchAll(/\bdocker\s+push\s+("[^"]+"|'[^']+'|\S+)/g)) out.push(match[1]!);
  }
  for (const match of line.matchAll(/\bkustomize\s+edit\s+set\s+image\s+[^=\s]+=("[^"]+"|\S+)/g)) out.push(match[1]!);
  return out.map((text) => text.replace(/^["']|["']$/g, ''));
}

/** Expands CI variables a reference uses where CI defines them; others stay as `${NAME}`. */
export function resolveCiReference(text: string, env: Record<string, string>): string {
  let current = text;
  // Variables may refer to variables (IMAGE: ${REGISTRY}/name); a few rounds suffice.
  for (let round = 0; round < 5; round++) {
    const next = current
      .replace(/\$\{\{\s*(env|vars|secrets)\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g, (_, scope: string, name: string) =>
        scope === 'env' && env[name] !== undefined ? env[name] : `\${${name}}`,
      )
      .replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (_, braced?: string, bare?: string) => env[(braced ?? bare)!] ?? `\${${braced ?? bare}}`);
    if (next === current) break;
    current = next;
  }
  // Variables defined as `${{ vars.X }}` expand back to themselves: leave them as placeholders.
  return current
    .replace(/\$\{\{\s*(?:env|vars|secrets)\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g, (_, name: string) => `\${${name}}`)
    .replace(/\$\{\{[^}]*\}\}/g, '${EXPRESSION}');
}

async function deployImages(repo: RepoView, findings: Finding[], kind: ImageKind): Promise<ImageUse[]> {
  const uses: ImageUse[] = [];
  const key = kind === 'service' ? 'IMAGE' : 'MLFLOW_IMAGE';
  for (const file of repo.files.filter((path) => path.startsWith(k8sRoot) && /deploy-values[^/]*\.env$/.test(path))) {
    (await repo.read(file)).split('\n').forEach((text, index) => {
      const match = new RegExp(`^\\s*${key}\\s*=\\s*(\\S+)`).exec(text);
      if (match) uses.push({ what: `${key} in ${file}`, repository: imageRepository(match[1]!), file, line: index + 1 });
    });
  }
  if (kind === 'mlflow') return uses;
  const { objects, errors } = await k8sObjects(repo);
  findings.push(...errors);
  for (const kustomization of objects.filter((object) => object.kind === 'Kustomization')) {
    asArray(getIn(kustomization.doc.data, ['images'])).forEach((entry, index) => {
      const newName = asRecord(entry)?.newName;
      if (typeof newName === 'string') {
        uses.push({ what: `kustomize images newName`, repository: imageRepository(newName), file: kustomization.doc.file, line: kustomization.doc.lineOf(['images', index, 'newName']) });
      }
    });
  }
  return uses;
}

interface TfRegistry {
  type: string;
  name: string;
  file: string;
  /** The part of an image repository this registry's name must equal. */
  expectedIn(repository: string): string | undefined;
}

async function terraformRegistries(repo: RepoView, findings: Finding[]): Promise<TfRegistry[]> {
  if (!repo.files.some((file) => file.startsWith('infra/terraform/'))) return [];
  const model = await readTerraform(repo);
  findings.push(...model.errors);
  const out: TfRegistry[] = [];
  const segments = (repository: string) => repository.split('/');
  const rules: Record<string, { attribute: string; expectedIn: (repository: string) => string | undefined }> = {
    // ECR: <account>.dkr.ecr.<region>.amazonaws.com/<name>
    aws_ecr_repository: { attribute: 'name', expectedIn: (repository) => segments(repository).slice(1).join('/') || undefined },
    // Artifact Registry: <region>-docker.pkg.dev/<project>/<repository_id>/<image>
    google_artifact_registry_repository: { attribute: 'repository_id', expectedIn: (repository) => segments(repository)[2] },
    // ACR: <name>.azurecr.io/<image>
    azurerm_container_registry: { attribute: 'name', expectedIn: (repository) => segments(repository)[0]?.split('.')[0] },
  };
  for (const directory of model.directories.values()) {
    for (const block of directory.blocks) {
      const rule = rules[block.type];
      if (!rule) continue;
      const name = resolveTfString(model, directory.dir, block.body[rule.attribute]);
      if (name !== undefined) out.push({ type: `${block.kind === 'data' ? 'data ' : ''}${block.type}.${block.name}`, name, file: block.file, expectedIn: rule.expectedIn });
    }
  }
  return out;
}
