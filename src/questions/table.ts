// The one declarative questions table. It drives the prompts, the command-line
// flags, validation, defaults, conditional questions, `mlforge schema` and the
// option table in the README (test/unit/readme-options.test.ts keeps it true).

import * as z from 'zod/mini';
import { regionEntries, regionPattern, regionsFor } from './regions.js';
import { freeText, projectName } from './text-rules.js';

export const pythonVersions = ['3.11', '3.12', '3.13'] as const;
export const clouds = ['aws', 'gcp', 'azure', 'local'] as const;
export const cis = ['github', 'gitlab'] as const;
export const servings = ['fastapi', 'kserve'] as const;
export const rollouts = ['rolling', 'canary'] as const;

export interface Answers {
  name: string;
  description: string;
  author: string;
  python: (typeof pythonVersions)[number];
  cloud: (typeof clouds)[number];
  /** null when the cloud has no regions (`local`). */
  region: string | null;
  ci: (typeof cis)[number];
  serving: (typeof servings)[number];
  /** Always `rolling` with kserve (KServe manages its own revisions). */
  rollout: (typeof rollouts)[number];
  monitoring: boolean;
  dvc: boolean;
  gpu: boolean;
}
export type AnswerKey = keyof Answers;
export type PartialAnswers = Partial<Answers>;

/** What defaults may depend on besides earlier answers. */
export interface DefaultHints {
  /** Base name of the target directory, when one was given. */
  directoryName?: string;
  /** `git config --global user.name`, when set. */
  gitUserName?: string;
}

export interface Choice {
  value: string;
  label: string;
  /** One line shown under the highlighted choice. */
  hint?: string;
}

interface BaseQuestion<K extends AnswerKey> {
  key: K;
  /** Prompt text. */
  message: string;
  /** One line for --help, the README and the JSON Schema. */
  description: string;
  /** One line shown beside the prompt: what the answer decides. */
  hint: string;
  /** Whether the question applies given earlier answers (absent: always). */
  when?: (answers: PartialAnswers) => boolean;
  /** The value recorded when the question does not apply. */
  inapplicable?: Answers[K];
  /** Why it does not apply, for the error when a value is given anyway. */
  inapplicableReason?: string;
  default: (answers: PartialAnswers, hints: DefaultHints) => Answers[K];
  /** Help text for the default when it depends on other answers. */
  defaultText?: string;
}

export interface TextQuestion<K extends AnswerKey = AnswerKey> extends BaseQuestion<K> {
  kind: 'text';
  schema: z.ZodMiniType<string>;
  placeholder: string;
}
export interface SelectQuestion<K extends AnswerKey = AnswerKey> extends BaseQuestion<K> {
  kind: 'select';
  choices: (answers: PartialAnswers) => readonly Choice[];
  /** Lists every value any answers could allow (for help and the schema). */
  allValues: readonly string[];
  /** Help text for the choices when they depend on other answers. */
  choicesText?: string;
  /** Values outside the list that are still valid (a region newer than the list), by pattern. */
  pattern?: (answers: PartialAnswers) => RegExp | undefined;
  /** Prompted as a type-to-filter list (long lists). */
  searchable?: boolean;
}
export interface ConfirmQuestion<K extends AnswerKey = AnswerKey> extends BaseQuestion<K> {
  kind: 'confirm';
}
export type Question = TextQuestion | SelectQuestion | ConfirmQuestion;

type Labels = Record<string, { label: string; hint?: string }>;
const labelled = (values: readonly string[], labels: Labels = {}): Choice[] =>
  values.map((value) => ({ value, label: labels[value]?.label ?? value, ...(labels[value]?.hint ? { hint: labels[value].hint } : {}) }));

const fallbackName = 'ml-service';

/**
 * The project name a directory base name gives (lowercased, other characters as hyphens), which
 * may still break the name rule (`json`, `42`): the caller validates it like any other answer.
 */
export function nameFromDirectory(directoryName: string): string {
  return directoryName
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^[^a-z]+/, '')
    .replace(/-+$/, '')
    .slice(0, 40)
    .replace(/-+$/, '');
}

export const questions: readonly Question[] = [
  {
    key: 'name',
    kind: 'text',
    message: 'Project name',
    hint: 'names the Python package, the image, the Kubernetes objects and the cloud resources',
    description: 'Project name: Python distribution, Docker image, Kubernetes and Terraform prefix',
    placeholder: 'name',
    schema: projectName,
    // With a directory argument the name comes from it (see resolve-answers.ts) and is not asked.
    default: () => fallbackName,
    defaultText: 'from the target directory name, else ml-service',
  },
  {
    key: 'description',
    kind: 'text',
    message: 'One-line description',
    hint: 'goes into the README, pyproject.toml and the image labels',
    description: 'One-line description (README, pyproject, image labels)',
    placeholder: 'text',
    schema: freeText('description', 200),
    default: () => 'A machine-learning model service.',
  },
  {
    key: 'author',
    kind: 'text',
    message: 'Author or team',
    hint: 'who owns the service: pyproject authors and the model card',
    description: 'Author or owning team (pyproject authors, model card)',
    placeholder: 'text',
    schema: freeText('author', 100),
    default: (answers, hints) => hints.gitUserName ?? `${answers.name ?? fallbackName} maintainers`,
    defaultText: 'your git user.name, else "<name> maintainers"',
  },
  {
    key: 'python',
    kind: 'select',
    message: 'Python version',
    hint: 'used by the service, its container image and CI',
    description: 'Python version of the service, its image and CI',
    choices: () =>
      labelled(pythonVersions, {
        '3.11': { label: '3.11', hint: 'oldest supported; for dependencies that lag behind' },
        '3.12': { label: '3.12', hint: 'recommended: every dependency of the service has wheels for it' },
        '3.13': { label: '3.13', hint: 'newest; check that your own dependencies support it' },
      }),
    allValues: pythonVersions,
    default: () => '3.12',
  },
  {
    key: 'cloud',
    kind: 'select',
    message: 'Cloud',
    hint: 'where the registry, the cluster, storage and MLflow’s database run',
    description: 'Where it runs: registry, cluster, storage and Terraform',
    choices: () =>
      labelled(clouds, {
        aws: { label: 'AWS', hint: 'ECR registry, EKS cluster, S3 storage, RDS PostgreSQL for MLflow' },
        gcp: { label: 'Google Cloud', hint: 'Artifact Registry, GKE cluster, GCS storage, Cloud SQL for MLflow' },
        azure: { label: 'Azure', hint: 'ACR registry, AKS cluster, Blob Storage, PostgreSQL Flexible Server for MLflow' },
        local: { label: 'Local only', hint: 'a kind cluster on your machine; no Terraform, no cloud account' },
      }),
    allValues: clouds,
    default: () => 'aws',
  },
  {
    key: 'region',
    kind: 'select',
    message: 'Region',
    hint: 'where every cloud resource is created',
    description: 'Cloud region for the registry, cluster, storage and database (not used with local)',
    when: (answers) => regionsFor(answers.cloud).length > 0,
    inapplicable: null,
    inapplicableReason: 'it does not apply when cloud is local',
    choices: (answers) => regionEntries(answers.cloud).map((region) => ({ value: region.value, label: region.value, hint: region.location })),
    pattern: (answers) => regionPattern(answers.cloud),
    searchable: true,
    get allValues() {
      return [...regionsFor('aws'), ...regionsFor('gcp'), ...regionsFor('azure')];
    },
    choicesText:
      'every region of the cloud with its managed Kubernetes and registry (listed in templates/versions/regions.yml), ' +
      'or a newer one of the same form (aws: eu-west-2, gcp: europe-west2, azure: uksouth)',
    default: (answers) => regionsFor(answers.cloud)[0] ?? null,
    defaultText: 'us-east-1 (aws), us-central1 (gcp), eastus (azure)',
  },
  {
    key: 'ci',
    kind: 'select',
    message: 'CI/CD system',
    hint: 'runs tests, builds the image, trains and deploys',
    description: 'CI/CD system',
    choices: () =>
      labelled(cis, {
        github: { label: 'GitHub Actions', hint: 'workflows in .github/, OIDC to the cloud, environments with approval' },
        gitlab: { label: 'GitLab CI', hint: 'one .gitlab-ci.yml, OIDC ID tokens to the cloud, protected environments' },
      }),
    allValues: cis,
    default: () => 'github',
  },
  {
    key: 'serving',
    kind: 'select',
    message: 'Serving on Kubernetes',
    hint: 'how the model server runs in the cluster',
    description: 'Serving on Kubernetes: a FastAPI Deployment or a KServe InferenceService',
    choices: () =>
      labelled(servings, {
        fastapi: { label: 'FastAPI Deployment', hint: 'plain Kubernetes: Deployment, Service, HPA, Ingress; nothing else to install' },
        kserve: { label: 'KServe InferenceService', hint: 'the same server as a KServe custom predictor; needs KServe in the cluster' },
      }),
    allValues: servings,
    default: () => 'fastapi',
  },
  {
    key: 'rollout',
    kind: 'select',
    message: 'Rollout strategy',
    hint: 'how a new version replaces the running one',
    description: 'Rollout strategy; canary (Argo Rollouts) needs --serving fastapi',
    when: (answers) => answers.serving !== 'kserve',
    inapplicable: 'rolling',
    inapplicableReason: 'canary rollouts need serving fastapi (KServe manages its own revisions)',
    choices: () =>
      labelled(rollouts, {
        rolling: { label: 'Rolling update', hint: 'the Deployment replaces pods gradually, gated by readiness probes' },
        canary: { label: 'Canary', hint: 'Argo Rollouts shifts traffic in steps and rolls back on bad Prometheus metrics' },
      }),
    allValues: rollouts,
    default: () => 'rolling',
  },
  {
    key: 'monitoring',
    kind: 'confirm',
    message: 'Add monitoring (Prometheus metrics and alerts, Grafana dashboard, drift CronJob)?',
    hint: 'needs the Prometheus operator in the cluster',
    description: 'Prometheus ServiceMonitor and alerts, Grafana dashboard, local Prometheus/Grafana, in-cluster drift CronJob',
    default: () => true,
  },
  {
    key: 'dvc',
    kind: 'confirm',
    message: 'Version data with DVC?',
    hint: 'tracks the training data in the cloud’s object storage',
    description: 'DVC pipeline and a remote in the cloud’s object storage',
    default: () => false,
  },
  {
    key: 'gpu',
    kind: 'confirm',
    message: 'Serve on GPUs?',
    hint: 'a CUDA image and a GPU node pool; costs more, only for models that need it',
    description: 'CUDA runtime image and a GPU node pool',
    default: () => false,
  },
];

export function questionFor(key: string): Question | undefined {
  return questions.find((question) => question.key === key);
}

export const answerKeys = questions.map((question) => question.key);

/** Command-line flag of a question: `--name`, and `--no-monitoring` for the negated form. */
export function flagOf(question: Question): string {
  return `--${question.key}`;
}
