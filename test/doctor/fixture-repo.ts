// Small hand-written repositories for doctor's unit tests: a consistent
// baseline that each test breaks in one place.

import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { stringify } from 'yaml';
import { loadRepoView } from '../../src/doctor/repo-view.js';
import type { Check, CheckResult, RepoView } from '../../src/doctor/types.js';
import { runCheck } from '../../src/doctor/run-doctor.js';
import type { Answers } from '../../src/questions/table.js';
import { answersWith } from '../helpers/generate.js';

export const baseline: Record<string, string> = {
  Dockerfile: `FROM python:3.12.12-slim-trixie AS build
RUN pip install --no-cache-dir build
FROM python:3.12.12-slim-trixie
USER 10001:10001
EXPOSE 8000
HEALTHCHECK CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health')"]
CMD ["uvicorn", "svc.serving.app:app", "--host", "0.0.0.0", "--port", "8000"]
`,
  'pyproject.toml': `[project]
name = "svc"
requires-python = ">=3.12"

[tool.ruff]
target-version = "py312"
`,
  'src/svc/settings.py': `from pydantic_settings import BaseSettings


class Settings(BaseSettings):
    port: int = 8000
    model_name: str = "svc"
    model_alias: str = "champion"
    challenger_alias: str = "challenger"
`,
  'src/svc/serving/app.py': `from fastapi import FastAPI

HEALTH_PATH = "/health"
app = FastAPI()


@app.get(HEALTH_PATH)
def health() -> dict[str, str]:
    return {"status": "ok"}


@app.get("/ready")
def ready() -> dict[str, str]:
    return {"status": "ready"}
`,
  'src/svc/promote.py': `def should_promote(score: float, threshold: float, champion: float) -> bool:
    return score >= threshold and score >= champion
`,
  'src/svc/drift.py': 'def main() -> None: ...\n',
  Makefile: 'promote:\n\tpython -m svc.promote\nrollback:\n\tpython -m svc.promote --rollback\ndrift:\n\tpython -m svc.drift\n',
  'deploy/k8s/base/model-server.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: svc
spec:
  template:
    metadata:
      labels:
        app: svc
    spec:
      securityContext:
        runAsNonRoot: true
      containers:
        - name: model-server
          image: svc
          ports:
            - name: http
              containerPort: 8000
          env:
            - name: SVC_MODEL_NAME
              value: svc
          readinessProbe:
            httpGet:
              path: /ready
              port: http
          livenessProbe:
            httpGet:
              path: /health
              port: 8000
          resources:
            requests: { cpu: 100m, memory: 256Mi }
            limits: { memory: 512Mi }
`,
  'deploy/k8s/base/service.yaml': `apiVersion: v1
kind: Service
metadata:
  name: svc
spec:
  selector:
    app: svc
  ports:
    - port: 80
      targetPort: http
`,
  'deploy/k8s/deploy-values.example.env': 'IMAGE=123456789012.dkr.ecr.us-east-1.amazonaws.com/svc:0123\n',
  '.github/workflows/ci.yml': `name: ci
on:
  push:
  schedule:
    - cron: "0 6 * * 1"
permissions:
  contents: read
env:
  IMAGE: \${{ vars.AWS_ACCOUNT_ID }}.dkr.ecr.us-east-1.amazonaws.com/svc
jobs:
  test:
    runs-on: ubuntu-24.04
    permissions:
      contents: read
      id-token: write
    steps:
      - uses: actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v4
      - uses: actions/setup-python@a26af69be951a213d495a4c3e4e4022e16d87065 # v5
        with:
          python-version: "3.12"
      - run: make evaluate && make promote
        env:
          TOKEN: \${{ secrets.MLFLOW_TOKEN }}
      - run: make drift
`,
  'README.md': '# svc\n\nSet the variable AWS_ACCOUNT_ID and the secret MLFLOW_TOKEN. To roll back, run `make rollback`.\n',
};

export async function writeFixture(files: Record<string, string | undefined>, overrides: Partial<Answers> = {}): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'mlforge-doctor-'));
  const answers = answersWith({ name: 'svc', cloud: 'aws', region: 'us-east-1', ci: 'github', ...overrides });
  const all: Record<string, string | undefined> = { ...baseline, ...files, '.mlforge.yml': stringify({ mlforge: '0.0.0', schema: 1, answers, files: {} }) };
  for (const [path, text] of Object.entries(all)) {
    if (text === undefined) continue;
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), text);
  }
  return root;
}

/** Writes the baseline with `files` replacing (or, when undefined, removing) some files, and runs one check. */
export async function runOn(check: Check, files: Record<string, string | undefined> = {}, overrides: Partial<Answers> = {}): Promise<CheckResult & { repo: RepoView }> {
  const repo = await loadRepoView(await writeFixture(files, overrides));
  return { ...(await runCheck(check, repo, 60_000)), repo };
}

/** The baseline with one text replacement in one file. */
export function edit(path: string, from: string | RegExp, to: string): Record<string, string> {
  const text = baseline[path]!;
  const next = text.replace(from, to);
  if (next === text) throw new Error(`fixture edit of ${path} changed nothing`);
  return { [path]: next };
}
