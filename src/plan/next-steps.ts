// The next steps `mlforge new` prints: run literally, in order, they end with
// a ready service answering /predict (test/e2e/day-one.test.ts runs them as
// printed). The first champion comes from `make train` itself: while there is
// none, a candidate that passes the quality gate is promoted (train.py), the
// same rule an in-cluster training job follows. The generated README's
// "Day one" section and `make help` say the same.

export interface NextStep {
  command: string;
  comment: string;
}

export function nextSteps(directory: string, port: number): NextStep[] {
  return [
    ...(directory === '.' ? [] : [{ command: `cd ${directory}`, comment: '' }]),
    { command: 'make install', comment: '.venv from uv.lock: the service, training (MLflow) and dev tools' },
    { command: 'make check', comment: 'lint, type check and tests' },
    { command: 'make train', comment: 'train a model; the first to pass the quality gate becomes champion' },
    { command: 'make serve', comment: `serve the champion on http://127.0.0.1:${port} (docs at /docs)` },
    { command: 'make predict', comment: 'from another terminal: POST an example row to /predict' },
  ];
}

/** The steps as printed: two-space indent, commands aligned, `# comment`. */
export function formatNextSteps(steps: NextStep[]): string[] {
  const width = Math.max(...steps.map((step) => step.command.length));
  return steps.map((step) => `  ${step.comment ? `${step.command.padEnd(width)}  # ${step.comment}` : step.command}`);
}
