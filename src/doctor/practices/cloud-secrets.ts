// On a cloud, the namespace's credentials come from the cloud's secret store
// (AWS Secrets Manager, Google Secret Manager, Azure Key Vault), where
// Terraform writes them, through the External Secrets Operator: every Secret a
// workload reads is written by an ExternalSecret of its overlay, never
// committed as a Secret object; each ExternalSecret reads through the store of
// the identity that needs it (MLflow's credentials as MLflow's service
// account, the API keys as the model server's), covers every key its consumers
// read, and reads its own environment's remote secret; each store signs in
// with the cloud's workload identity, never with static credentials.
// Names come from the plan doctor re-derives from .mlforge.yml
// (context.cloudSecrets, src/derive.ts), as the templates do.
//
// The manifests are read from their source files (file and line for every
// finding); an overlay's objects are the files its kustomization reaches
// through `resources` and `components` (local paths). Overlay patches of
// ExternalSecrets or SecretStores are not applied: mlforge generates none.

import { posix } from 'node:path';
import type { RenderContext } from '../../derive.js';
import { lineOfMatch, outcome } from '../check-result.js';
import { containersOf, k8sDir, k8sObjects, podSpecs, type K8sObject } from '../parse/k8s-manifests.js';
import { terraformRoot } from '../parse/terraform.js';
import { asArray, asRecord, getIn, readYaml, type YamlPath } from '../parse/yaml-file.js';
import type { Finding, RepoView, Rule } from '../types.js';
import { overlayDirs } from '../validators/kubernetes-build.js';

type Plan = RenderContext['cloudSecrets'];
type Cloud = 'aws' | 'gcp' | 'azure';

const componentDir = `${k8sDir}/components/cloud-secrets`;
const kustomizationNames = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

/** The store provider, where Terraform writes the secrets, and the path of the store's service account. */
const providers: Record<Cloud, { key: string; service: string; serviceAccount: YamlPath }> = {
  aws: { key: 'aws', service: 'AWS Secrets Manager', serviceAccount: ['auth', 'jwt', 'serviceAccountRef', 'name'] },
  gcp: { key: 'gcpsm', service: 'Google Secret Manager', serviceAccount: ['auth', 'workloadIdentity', 'serviceAccountRef', 'name'] },
  azure: { key: 'azurekv', service: 'Azure Key Vault', serviceAccount: ['serviceAccountRef', 'name'] },
};

/** Terraform resource type and name attribute of one remote secret, per cloud. */
const remoteSecretResources: Record<Cloud, { type: string; attribute: string }> = {
  aws: { type: 'aws_secretsmanager_secret', attribute: 'name' },
  gcp: { type: 'google_secret_manager_secret', attribute: 'secret_id' },
  azure: { type: 'azurerm_key_vault_secret', attribute: 'name' },
};

/** The remote secret's name after `<name>-<environment>-`: the Secret's name, or the plan's shorter `remote` (the API keys). */
export const remoteName = (secret: Plan['secrets'][number]): string => secret.remote;

const label = (object: K8sObject) => `${object.kind} ${object.name}`;
const where = (object: K8sObject, path: YamlPath): Pick<Finding, 'file' | 'line'> => ({ file: object.doc.file, line: object.doc.lineOf(path) });
const quoted = (value: unknown) => (value === undefined ? 'unset' : JSON.stringify(value));

/** A workload's read of a Secret: a key (secretKeyRef, volume items) or the whole Secret (envFrom, a volume without items). */
interface SecretUse {
  secret: string;
  key?: string;
  object: K8sObject;
}

/** Every Secret the workloads among `objects` read, with the keys they name. */
function secretUses(objects: readonly K8sObject[]): SecretUse[] {
  const uses: SecretUse[] = [];
  const add = (object: K8sObject, secret: unknown, key?: unknown) => {
    if (typeof secret === 'string' && secret !== '') uses.push({ secret, ...(typeof key === 'string' ? { key } : {}), object });
  };
  const itemsOf = (object: K8sObject, secret: unknown, source: Record<string, unknown> | undefined) => {
    const items = asArray(source?.items).map(asRecord);
    if (items.length === 0) add(object, secret);
    for (const item of items) add(object, secret, item?.key);
  };
  for (const { object, spec: container } of containersOf(objects, { init: true })) {
    for (const env of asArray(container.env).map(asRecord)) {
      const ref = asRecord(getIn(env, ['valueFrom', 'secretKeyRef']));
      if (ref) add(object, ref.name, ref.key);
    }
    for (const source of asArray(container.envFrom).map(asRecord)) add(object, asRecord(source?.secretRef)?.name);
  }
  for (const object of objects) {
    for (const { spec } of podSpecs(object)) {
      for (const volume of asArray(spec.volumes).map(asRecord)) {
        const secret = asRecord(volume?.secret);
        if (secret) itemsOf(object, secret.secretName, secret);
        for (const source of asArray(getIn(volume, ['projected', 'sources'])).map(asRecord)) {
          const projected = asRecord(source?.secret);
          if (projected) itemsOf(object, projected.name, projected);
        }
      }
    }
  }
  return uses;
}

/** The files an overlay builds from: its kustomization and what it reaches through resources, bases and components (local paths only). */
async function overlayFiles(repo: RepoView, overlay: string): Promise<Set<string>> {
  const present = new Set(repo.files);
  const files = new Set<string>();
  const seen = new Set<string>();
  const visit = async (dir: string): Promise<void> => {
    if (seen.has(dir)) return;
    seen.add(dir);
    const file = kustomizationNames.map((name) => `${dir}/${name}`).find((path) => present.has(path));
    if (!file) return;
    files.add(file);
    const data = asRecord((await readYaml(repo, file)).docs[0]?.data);
    for (const entry of [...asArray(data?.resources), ...asArray(data?.bases), ...asArray(data?.components)]) {
      if (typeof entry !== 'string' || /^[a-z][a-z0-9+.-]*:\/\/|^(git@|github\.com\/)/i.test(entry)) continue;
      const path = posix.normalize(posix.join(dir, entry));
      if (path.startsWith('../')) continue;
      if (present.has(path)) files.add(path);
      else await visit(path);
    }
  };
  await visit(overlay);
  return files;
}

/** Whether a Go duration ("0", "0s", "0h0m") is zero: the operator then never re-reads the store. */
function zeroDuration(value: unknown): boolean {
  return typeof value === 'string' && /^(0+(\.0+)?(ns|us|µs|ms|s|m|h)?)+$/.test(value);
}

/** The first static-credential reference under a store's provider (auth.secretRef, authSecretRef), as a path. */
function staticCredentials(value: unknown, path: YamlPath): YamlPath | undefined {
  const record = asRecord(value);
  if (!record) return undefined;
  for (const [key, child] of Object.entries(record)) {
    if ((key === 'secretRef' || key === 'authSecretRef') && child !== undefined && child !== null) return [...path, key];
    const found = staticCredentials(child, [...path, key]);
    if (found) return found;
  }
  return undefined;
}

/** Rule 3: every SecretStore signs in as its workload's identity, with the cloud's own provider. */
function storeFindings(stores: readonly K8sObject[], plan: Plan, cloud: Cloud): Finding[] {
  const findings: Finding[] = [];
  const provider = providers[cloud];
  const planned = new Map(plan.stores.map((store) => [store.name, store]));
  for (const store of stores) {
    const specProvider = asRecord(getIn(store.doc.data, ['spec', 'provider'])) ?? {};
    const base: YamlPath = ['spec', 'provider', provider.key];
    const credentials = staticCredentials(specProvider, ['spec', 'provider']);
    if (credentials) {
      findings.push({
        ...where(store, credentials),
        message: `${label(store)} signs in with static credentials (${credentials.join('.')}): a cloud key stored in the cluster, readable by anyone who can read its Secret, never rotated by the cloud.`,
        fix: `Remove ${credentials.slice(2).join('.')} and sign in with the workload identity of the service account ${planned.get(store.name)?.serviceAccount ?? 'of the pods that use the store'}, as mlforge generates it.`,
      });
    }
    const used = Object.keys(specProvider);
    if (!used.includes(provider.key)) {
      findings.push({
        ...where(store, ['spec', 'provider']),
        message: `${label(store)} reads from provider ${used.join(', ') || '(none)'}, but on --cloud ${cloud} Terraform writes the secrets to ${provider.service} (provider ${provider.key}): the ExternalSecrets through it find nothing.`,
        fix: `Use spec.provider.${provider.key}, as mlforge generates it.`,
      });
      continue;
    }
    const settings = asRecord(specProvider[provider.key]) ?? {};
    if (cloud === 'aws') {
      if (settings.service !== 'SecretsManager') {
        findings.push({ ...where(store, [...base, 'service']), message: `${label(store)} reads AWS service ${quoted(settings.service)}, but Terraform writes the secrets to Secrets Manager.`, fix: 'Set spec.provider.aws.service: SecretsManager.' });
      }
      const region = planned.get(store.name)?.aws?.region;
      if (region !== undefined && settings.region !== region) {
        findings.push({ ...where(store, [...base, 'region']), message: `${label(store)} reads Secrets Manager in region ${quoted(settings.region)}, but the project's region (where Terraform writes the secrets) is ${region}.`, fix: `Set spec.provider.aws.region: ${region}.` });
      }
      if (asRecord(getIn(settings, ['auth', 'jwt'])) === undefined && !credentials) {
        findings.push({ ...where(store, [...base, 'auth']), message: `${label(store)} has no auth.jwt: the operator reads the store with its own credentials (its pod's or the node's role), not with the identity of the pods that use these Secrets.`, fix: `Set auth.jwt.serviceAccountRef.name to ${planned.get(store.name)?.serviceAccount ?? 'the service account of the pods that use the store'} (IRSA).` });
      }
    }
    if (cloud === 'gcp' && asRecord(getIn(settings, ['auth', 'workloadIdentity'])) === undefined && !credentials) {
      findings.push({ ...where(store, [...base, 'auth']), message: `${label(store)} has no auth.workloadIdentity: the operator reads the store with its own Google identity, not with the identity of the pods that use these Secrets.`, fix: `Set auth.workloadIdentity.serviceAccountRef.name to ${planned.get(store.name)?.serviceAccount ?? 'the service account of the pods that use the store'} (GKE workload identity).` });
    }
    if (cloud === 'azure' && settings.authType !== 'WorkloadIdentity') {
      findings.push({ ...where(store, [...base, 'authType']), message: `${label(store)} has authType ${quoted(settings.authType)}${settings.authType === undefined ? ' (ServicePrincipal, which needs a client secret)' : ''}: it does not sign in with the Entra workload identity of its service account.`, fix: 'Set spec.provider.azurekv.authType: WorkloadIdentity with serviceAccountRef.name, as mlforge generates it.' });
    }
    const expected = planned.get(store.name);
    if (!expected) continue;
    const serviceAccount = getIn(settings, provider.serviceAccount);
    if (serviceAccount !== expected.serviceAccount) {
      findings.push({
        ...where(store, [...base, ...provider.serviceAccount]),
        message: `${label(store)} signs in as service account ${quoted(serviceAccount)}, but it is the store of the ${expected.serviceAccount} service account's Secrets: another identity would need (or gain) read access to them.`,
        fix: `Set ${[...base, ...provider.serviceAccount].join('.')}: ${expected.serviceAccount}.`,
      });
    }
  }
  return findings;
}

interface Required {
  name: string;
  /** The store and keys the plan gives it (undefined for a Secret only the manifests read). */
  planned?: Plan['secrets'][number];
  keys: Set<string>;
  readers: Set<string>;
}

/** Rules 1, 2 and 4 for one overlay. */
async function overlayFindings(repo: RepoView, context: RenderContext, objects: readonly K8sObject[], overlay: string): Promise<Finding[]> {
  const plan = context.cloudSecrets;
  const environment = overlay.slice(overlay.lastIndexOf('/') + 1);
  const files = await overlayFiles(repo, overlay);
  const included = objects.filter((object) => files.has(object.doc.file));
  const kustomization = [...files].find((file) => file.startsWith(`${overlay}/`) && kustomizationNames.some((name) => file.endsWith(`/${name}`))) ?? `${overlay}/kustomization.yaml`;
  const kustomizationDoc = (await readYaml(repo, kustomization)).docs[0];
  const findings: Finding[] = [];

  const required = new Map<string, Required>();
  const need = (name: string) => {
    let entry = required.get(name);
    if (!entry) {
      const planned = plan.secrets.find((secret) => secret.name === name);
      entry = { name, ...(planned ? { planned } : {}), keys: new Set(planned?.keys ?? []), readers: new Set() };
      required.set(name, entry);
    }
    return entry;
  };
  for (const secret of plan.secrets) need(secret.name);
  for (const use of secretUses(included)) {
    const entry = need(use.secret);
    if (use.key !== undefined) entry.keys.add(use.key);
    entry.readers.add(label(use.object));
  }

  // The stores the ExternalSecrets may name: SecretStores of components/cloud-secrets that this overlay includes.
  const stores = new Set(included.filter((object) => object.kind === 'SecretStore' && object.doc.file.startsWith(`${componentDir}/`)).map((object) => object.name));
  if (repo.exists(componentDir) && ![...files].some((file) => file.startsWith(`${componentDir}/`))) {
    findings.push({
      file: kustomization,
      line: kustomizationDoc?.lineOf(['components']),
      message: `${overlay} does not include ${componentDir}: the SecretStores its ExternalSecrets read through do not exist in the namespace.`,
      fix: `Add ../../components/cloud-secrets to the components of ${kustomization}.`,
    });
  }

  const externalSecrets = included.filter((object) => object.kind === 'ExternalSecret');
  const targetOf = (object: K8sObject) => String(getIn(object.doc.data, ['spec', 'target', 'name']) ?? object.name);
  const otherEnvironments = ['staging', 'prod', ...overlayDirs(repo).map((dir) => dir.slice(dir.lastIndexOf('/') + 1))].filter((name) => name !== environment);
  // The plan's remote key for staging and prod; the same pattern for any other overlay.
  const expectedKey = (secret: string) => {
    const planned = (environment === 'staging' || environment === 'prod' ? plan[environment] : []).find((entry) => entry.name === secret)?.remoteKey;
    const entry = plan.secrets.find((candidate) => candidate.name === secret);
    return planned ?? `${context.name}-${environment}-${entry ? remoteName(entry) : secret}`;
  };

  for (const external of externalSecrets) {
    const spec = asRecord(getIn(external.doc.data, ['spec'])) ?? {};
    const target = targetOf(external);
    const entry = required.get(target);
    const ref = asRecord(spec.secretStoreRef);
    const storeKind = ref?.kind ?? 'SecretStore';
    const storeName = ref?.name;
    if (storeKind !== 'SecretStore') {
      findings.push({ ...where(external, ['spec', 'secretStoreRef', 'kind']), message: `${label(external)} (${overlay}) reads through a ${String(storeKind)} ${quoted(storeName)}: a cluster-wide store is not the namespace's own, and reads as an identity shared with other namespaces.`, fix: `Use kind: SecretStore, one of ${[...stores].join(', ') || plan.stores.map((store) => store.name).join(', ')} (${componentDir}).` });
    } else if (typeof storeName !== 'string' || !stores.has(storeName)) {
      findings.push({ ...where(external, ['spec', 'secretStoreRef', 'name']), message: `${label(external)} (${overlay}) names SecretStore ${quoted(storeName)}, which is not defined in ${componentDir} (for this overlay): the operator cannot read its Secret ${target}.`, fix: `Name ${entry?.planned?.store ?? `one of ${plan.stores.map((store) => store.name).join(', ')}`}.` });
    }
    if (entry?.planned && storeKind === 'SecretStore' && typeof storeName === 'string' && storeName !== entry.planned.store && stores.has(storeName)) {
      const owner = plan.stores.find((store) => store.name === entry.planned!.store);
      findings.push({
        ...where(external, ['spec', 'secretStoreRef', 'name']),
        message: `${label(external)} (${overlay}) reads ${target} through store ${quoted(storeName)}, but ${target} belongs to store ${entry.planned.store} (service account ${owner?.serviceAccount ?? '?'}): least privilege, each identity may read only the secrets of its own pods.`,
        fix: `Set spec.secretStoreRef.name: ${entry.planned.store}.`,
      });
    }
    const creation = getIn(spec, ['target', 'creationPolicy']) ?? 'Owner';
    if (entry && (creation === 'None' || creation === 'Merge')) {
      findings.push({ ...where(external, ['spec', 'target', 'creationPolicy']), message: `${label(external)} (${overlay}) has target.creationPolicy ${String(creation)}: it does not create the Secret ${target}, so nothing does.`, fix: 'Set spec.target.creationPolicy: Owner.' });
    }
    if (zeroDuration(spec.refreshInterval) || spec.refreshPolicy === 'CreatedOnce' || spec.refreshPolicy === 'OnChange') {
      const field = zeroDuration(spec.refreshInterval) ? 'refreshInterval' : 'refreshPolicy';
      findings.push({ ...where(external, ['spec', field]), message: `${label(external)} (${overlay}) has ${field} ${quoted(spec[field])}: the operator never re-reads the store, so a rotated value never reaches the pods.`, fix: `Set spec.refreshInterval: ${plan.refreshInterval} (and no refreshPolicy, or Periodic).` });
    }

    const data = asArray(spec.data);
    const dataFrom = asArray(spec.dataFrom);
    // Remote keys: this overlay's environment's secret, named as Terraform writes it.
    const remoteKeys: Array<{ key: unknown; property?: unknown; secretKey?: unknown; path: YamlPath }> = [
      ...data.map((item, index) => ({ key: getIn(item, ['remoteRef', 'key']), property: getIn(item, ['remoteRef', 'property']), secretKey: asRecord(item)?.secretKey, path: ['spec', 'data', index, 'remoteRef'] as YamlPath })),
      ...dataFrom.flatMap((item, index) => (asRecord(asRecord(item)?.extract) ? [{ key: getIn(item, ['extract', 'key']), path: ['spec', 'dataFrom', index, 'extract'] as YamlPath }] : [])),
    ];
    for (const remote of remoteKeys) {
      const other = otherEnvironments.find((name) => typeof remote.key === 'string' && remote.key.startsWith(`${context.name}-${name}-`));
      const wrong = entry?.planned ? remote.key !== expectedKey(target) : typeof remote.key !== 'string' || !remote.key.startsWith(`${context.name}-${environment}-`);
      if (other !== undefined || wrong) {
        findings.push({
          ...where(external, [...remote.path, 'key']),
          message: `${label(external)} (${overlay}) reads remote secret ${quoted(remote.key)}${other !== undefined ? `, ${other}'s, from the ${environment} environment: an environment must never read another's credentials` : `, not ${entry?.planned ? expectedKey(target) : `${context.name}-${environment}-…`}, the ${environment} secret Terraform writes`}.`,
          fix: `Set ${[...remote.path, 'key'].join('.')}: ${entry?.planned ? expectedKey(target) : `${context.name}-${environment}-${target}`}.`,
        });
      }
      if (entry?.planned && remote.secretKey !== undefined && remote.property !== remote.secretKey) {
        findings.push({ ...where(external, [...remote.path, 'property']), message: `${label(external)} (${overlay}) fills key ${String(remote.secretKey)} from property ${quoted(remote.property)} of ${String(remote.key)}: Terraform writes the remote secret as a JSON object keyed by the Secret's keys.`, fix: `Set ${[...remote.path, 'property'].join('.')}: ${String(remote.secretKey)}.` });
      }
    }
    if (entry && dataFrom.length === 0) {
      const provided = new Set(data.map((item) => asRecord(item)?.secretKey));
      const missing = [...entry.keys].filter((key) => !provided.has(key));
      if (missing.length > 0) {
        findings.push({
          ...where(external, ['spec', 'data']),
          message: `${label(external)} (${overlay}) does not provide ${missing.map((key) => `key ${key}`).join(', ')} of Secret ${target}${entry.readers.size > 0 ? `, read by ${[...entry.readers].join(', ')}` : ''}: the pods fail to start (or start without it).`,
          fix: `Add ${missing.map((key) => `{secretKey: ${key}, remoteRef: {key: ${expectedKey(target)}, property: ${key}}}`).join(', ')} to spec.data.`,
        });
      }
    }
  }

  // Rule 1: every Secret the workloads (and the plan) need is written by an ExternalSecret of this overlay.
  const ownFile = externalSecrets.find((object) => object.doc.file.startsWith(`${overlay}/`));
  const unlisted = objects.filter((object) => object.kind === 'ExternalSecret' && object.doc.file.startsWith(`${overlay}/`) && !files.has(object.doc.file));
  for (const entry of required.values()) {
    const producers = externalSecrets.filter((external) => targetOf(external) === entry.name);
    if (producers.length === 0) {
      const left = unlisted.find((object) => targetOf(object) === entry.name);
      findings.push({
        file: (left ?? ownFile)?.doc.file ?? kustomization,
        line: left || ownFile ? (left ?? ownFile)!.doc.lineOf([]) : kustomizationDoc?.lineOf(['resources']),
        message: `No ExternalSecret of ${overlay} writes the Secret ${entry.name}${entry.readers.size > 0 ? ` (read by ${[...entry.readers].join(', ')})` : ''}${left ? ` (${left.doc.file} defines one, but ${kustomization} does not list it under resources)` : ''}: in ${environment} it never exists and its pods do not start, or someone creates it by hand outside the cloud's secret store.`,
        fix: left
          ? `List ${posix.relative(overlay, left.doc.file)} under the resources of ${kustomization}.`
          : `Add an ExternalSecret ${entry.name} (target ${entry.name}, store ${entry.planned?.store ?? plan.stores[0]?.name}, remote key ${expectedKey(entry.name)}) to ${overlay}/external-secrets.yaml, as mlforge generates it.`,
      });
    } else if (producers.length > 1) {
      findings.push({ ...where(producers[1]!, []), message: `${producers.map(label).join(' and ')} (${overlay}) both write the Secret ${entry.name}: each overwrites the other's values on every refresh.`, fix: 'Keep one ExternalSecret per Secret.' });
    }
  }
  return findings;
}

/** Rule 1: a Secret the ExternalSecrets own is committed as an object or generated from files. */
async function committedSecretFindings(repo: RepoView, objects: readonly K8sObject[], names: ReadonlySet<string>): Promise<Finding[]> {
  const findings: Finding[] = [];
  for (const object of objects) {
    if (object.kind === 'Secret' && names.has(object.name)) {
      findings.push({ ...where(object, []), message: `Secret ${object.name} is committed in ${object.doc.file}: credentials in git, and an object that fights the ExternalSecret that owns ${object.name}.`, fix: `Delete it (and rotate its values): the ExternalSecret ${object.name} of each overlay writes it from the cloud's secret store.` });
    }
  }
  for (const file of repo.files.filter((path) => path.startsWith(`${k8sDir}/`) && kustomizationNames.some((name) => path.endsWith(`/${name}`)))) {
    const doc = (await readYaml(repo, file)).docs[0];
    asArray(asRecord(doc?.data)?.secretGenerator).forEach((generator, index) => {
      const name = asRecord(generator)?.name;
      if (typeof name === 'string' && names.has(name)) {
        findings.push({ file, line: doc?.lineOf(['secretGenerator', index]), message: `${file} generates the Secret ${name} (secretGenerator) from files in the repository: credentials outside the cloud's secret store, fighting the ExternalSecret that owns ${name}.`, fix: `Remove the secretGenerator ${name}: the ExternalSecret ${name} writes it.` });
      }
    });
  }
  return findings;
}

/**
 * Rule 5, deliberately loose (grep level, no HCL evaluation): some resource of the cloud's
 * secret type under infra/terraform has a name (secret_id on GCP) expression ending in
 * `-<Secret>"` — e.g. "${local.prefix}-mlflow-backend" or "${var.name_prefix}-mlflow-backend"
 * in a module that receives local.prefix; for the project-prefixed API keys Secret
 * "${...}-api-keys" after any interpolation counts too. A `for_each` resource named
 * "...-${each.key}" (or each.value) counts when the Secret name appears as a string or map
 * key anywhere in the Terraform. The prefix itself is not resolved.
 */
export async function terraformFindings(repo: Pick<RepoView, 'files' | 'read'>, plan: Plan, cloud: Cloud, project: string): Promise<Finding[]> {
  const { type, attribute } = remoteSecretResources[cloud];
  const tfFiles = repo.files.filter((file) => file.startsWith(terraformRoot) && file.endsWith('.tf'));
  const texts = await Promise.all(tfFiles.map(async (file) => ({ file, text: await repo.read(file) })));
  const names: Array<{ expression: string; forEach: boolean }> = [];
  const header = new RegExp(`resource\\s+"${type}"\\s+"[^"]*"\\s*\\{`, 'g');
  const value = new RegExp(`^\\s*${attribute}\\s*=\\s*"(.*)"`);
  for (const { text } of texts) {
    for (const match of text.matchAll(header)) {
      // The block's own attribute lines (depth 1); `${...}` opens and closes a brace of its own.
      const attributes: string[] = [];
      let depth = 1;
      let line = '';
      for (let index = match.index + match[0].length; index < text.length && depth > 0; index++) {
        const char = text[index]!;
        if (char === '\n') {
          if (depth === 1) attributes.push(line);
          line = '';
          continue;
        }
        if (char === '{') depth++;
        if (char === '}') depth--;
        line += char;
      }
      const forEach = attributes.some((entry) => /^\s*for_each\s*=/.test(entry));
      for (const entry of attributes) {
        const expression = value.exec(entry)?.[1];
        if (expression !== undefined) names.push({ expression, forEach });
      }
    }
  }
  const allText = texts.map((entry) => entry.text).join('\n');
  const escape = (value: string) => value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const findings: Finding[] = [];
  const mainFile = `${terraformRoot}main.tf`;
  const mainText = texts.find((entry) => entry.file === mainFile)?.text;
  for (const secret of plan.secrets) {
    const remote = remoteName(secret);
    // A project-prefixed name may also be written "${...}-<rest>" (the project as a variable).
    const rest = remote.startsWith(`${project}-`) ? remote.slice(project.length + 1) : undefined;
    const suffix = new RegExp(`-(?:${escape(remote)}${rest ? `|\\$\\{[^}]+\\}-${escape(rest)}` : ''})$`);
    const byEach = /-\$\{each\.(key|value)[^}]*\}$/;
    const listed = [remote, ...(rest ? [rest] : [])].some((name) => new RegExp(`"${escape(name)}"|(^|[\\s{,])${escape(name)}\\s*=`, 'm').test(allText));
    const covered = names.some((entry) => suffix.test(entry.expression) || (entry.forEach && byEach.test(entry.expression) && listed));
    if (!covered) {
      findings.push({
        file: mainText !== undefined ? mainFile : terraformRoot.replace(/\/$/, ''),
        line: mainText !== undefined ? lineOfMatch(mainText, /^\s*prefix\s*=/) : undefined,
        message: `No ${type} under infra/terraform has a ${attribute} ending in "-${remote}" ("\${local.prefix}-${remote}"): the ExternalSecret ${secret.name} reads ${project}-<environment>-${remote}, which nothing creates, so the Secret ${secret.name} never appears.`,
        fix: `Declare ${type} with ${attribute} = "\${local.prefix}-${remote}" (and its value, a JSON object with the keys ${secret.keys.join(', ')}).`,
      });
      continue;
    }
    // The JSON keys the ExternalSecret reads must be written by the Terraform (as quoted strings:
    // jsonencode keys or the generated-secrets map); equally loose, no HCL evaluation.
    const unwritten = secret.keys.filter((key) => !allText.includes(`"${key}"`));
    if (unwritten.length > 0) {
      findings.push({
        file: mainText !== undefined ? mainFile : terraformRoot.replace(/\/$/, ''),
        line: mainText !== undefined ? lineOfMatch(mainText, /^\s*prefix\s*=/) : undefined,
        message: `The Terraform never writes the key${unwritten.length > 1 ? 's' : ''} ${unwritten.map((key) => `"${key}"`).join(', ')} of ${project}-<environment>-${remote}, which the ExternalSecret ${secret.name} reads: the operator cannot find the property, and the Secret ${secret.name} never appears.`,
        fix: `Write ${remote} as a JSON object with the keys ${secret.keys.join(', ')}.`,
      });
    }
  }
  return findings;
}

export const cloudSecretsCheck: Rule = {
  title: "Credentials come from the cloud's secret store, each read by the identity that needs it",
  applies: (repo) => repo.answers.cloud !== 'local',
  inapplicableReason: () => 'cloud local: no cloud secret store (the Secrets are created in the kind cluster)',
  async run(repo) {
    const { context: planContext } = await repo.expected();
    const cloud = planContext.cloud as Cloud | 'local';
    if (cloud === 'local' || !planContext.hasTerraform) return outcome([]);
    const plan = planContext.cloudSecrets;
    const { objects, errors } = await k8sObjects(repo);
    const findings: Finding[] = [...errors];

    const storeObjects = objects.filter((object) => object.kind === 'SecretStore' || object.kind === 'ClusterSecretStore');
    const componentStores = storeObjects.filter((object) => object.kind === 'SecretStore' && object.doc.file.startsWith(`${componentDir}/`));
    for (const store of plan.stores) {
      if (!componentStores.some((object) => object.name === store.name)) {
        const file = repo.files.find((path) => path.startsWith(`${componentDir}/`) && /secret-stores?\.ya?ml$/.test(path)) ?? componentDir;
        findings.push({ file, message: `${componentDir} defines no SecretStore ${store.name}: the ExternalSecrets of ${plan.secrets.filter((secret) => secret.store === store.name).map((secret) => secret.name).join(', ')} have no store to read through.`, fix: `Add SecretStore ${store.name} (provider ${providers[cloud].key}, service account ${store.serviceAccount}), as mlforge generates it.` });
      }
    }
    findings.push(...storeFindings(storeObjects, plan, cloud));

    const overlays = overlayDirs(repo);
    for (const overlay of overlays) findings.push(...(await overlayFindings(repo, planContext, objects, overlay)));
    const names = new Set([...plan.secrets.map((secret) => secret.name), ...secretUses(objects).map((use) => use.secret)]);
    findings.push(...(await committedSecretFindings(repo, objects, names)));
    findings.push(...(await terraformFindings(repo, plan, cloud, planContext.name)));
    return outcome(findings, `${plan.secrets.length} Secrets from ${providers[cloud].service} in ${overlays.map((dir) => dir.slice(dir.lastIndexOf('/') + 1)).join(', ')}, through ${plan.stores.map((store) => `${store.name} (as ${store.serviceAccount})`).join(' and ')}`);
  },
};
