// The option matrix, as data: every valid cloud x CI x serving x rollout
// combination, with the toggles (monitoring, dvc, gpu, python) assigned by a
// deterministic greedy pairwise cover, so every pair of values of any two
// options appears in at least one row. Pure functions, tested in test/matrix.

export const factors = {
  cloud: ['aws', 'gcp', 'azure', 'local'],
  ci: ['github', 'gitlab'],
  serving: ['fastapi', 'kserve'],
  rollout: ['rolling', 'canary'],
  monitoring: [true, false],
  dvc: [false, true],
  gpu: [false, true],
  python: ['3.12', '3.11', '3.13'],
};
const toggleKeys = ['monitoring', 'dvc', 'gpu', 'python'];

/** canary needs fastapi: the only constraint between options. */
export const isValid = (row) => !(row.serving === 'kserve' && row.rollout === 'canary');

export function coreCombinations() {
  const rows = [];
  for (const cloud of factors.cloud)
    for (const ci of factors.ci)
      for (const serving of factors.serving)
        for (const rollout of factors.rollout) if (isValid({ serving, rollout })) rows.push({ cloud, ci, serving, rollout });
  return rows;
}

const keys = Object.keys(factors);
const pairKey = (a, va, b, vb) => `${a}=${va}|${b}=${vb}`;

/** Every pair of values of two different options that some valid row can hold. */
export function allPairs() {
  const pairs = new Set();
  for (const [i, a] of keys.entries())
    for (const b of keys.slice(i + 1))
      for (const va of factors[a])
        for (const vb of factors[b]) if (isValid({ serving: 'fastapi', rollout: 'rolling', [a]: va, [b]: vb })) pairs.add(pairKey(a, va, b, vb));
  return pairs;
}

export function pairsOf(row) {
  const out = [];
  for (const [i, a] of keys.entries()) for (const b of keys.slice(i + 1)) out.push(pairKey(a, row[a], b, row[b]));
  return out;
}

function toggleChoices() {
  const out = [];
  for (const monitoring of factors.monitoring)
    for (const dvc of factors.dvc)
      for (const gpu of factors.gpu) for (const python of factors.python) out.push({ monitoring, dvc, gpu, python });
  return out;
}

/** The 16 core rows with toggles, plus extra rows until every pair is covered. Same output on every run. */
export function matrixRows() {
  const uncovered = allPairs();
  const gain = (row) => pairsOf(row).filter((pair) => uncovered.has(pair)).length;
  const take = (row) => pairsOf(row).forEach((pair) => uncovered.delete(pair));
  const rows = [];
  for (const core of coreCombinations()) {
    let best;
    for (const toggles of toggleChoices()) {
      const row = { ...core, ...toggles };
      if (best === undefined || gain(row) > gain(best)) best = row;
    }
    take(best);
    rows.push(best);
  }
  const candidates = coreCombinations().flatMap((core) => toggleChoices().map((toggles) => ({ ...core, ...toggles })));
  while (uncovered.size > 0) {
    const best = candidates.reduce((a, b) => (gain(b) > gain(a) ? b : a));
    if (gain(best) === 0) throw new Error(`pairs no valid row can cover: ${[...uncovered].join(', ')}`);
    take(best);
    rows.push(best);
  }
  return rows.map((row, index) => ({ ...row, name: rowName(row, index) }));
}

// `azure` is a word Azure reserves in resource names, so the row's project name abbreviates it.
const cloudAbbreviation = { aws: 'aws', gcp: 'gcp', azure: 'az', local: 'local' };

function rowName(row, index) {
  return `m${String(index + 1).padStart(2, '0')}-${cloudAbbreviation[row.cloud]}-${row.ci === 'github' ? 'gh' : 'gl'}-${row.serving}-${row.rollout}`;
}

/** `mlforge new` flags for a row. */
export function newArgs(row, directory) {
  return [
    'new', directory, '--yes', '--no-git', '--quiet', '--json',
    '--name', row.name, '--cloud', row.cloud, '--ci', row.ci, '--serving', row.serving,
    ...(row.serving === 'fastapi' ? ['--rollout', row.rollout] : []),
    '--python', row.python,
    row.monitoring ? '--monitoring' : '--no-monitoring',
    row.dvc ? '--dvc' : '--no-dvc',
    row.gpu ? '--gpu' : '--no-gpu',
  ];
}

/** The fewest rows (greedy) that together hold every Python version, both servings, both CIs and every cloud. */
export function representativeSubset(rows) {
  const features = (row) => ['python', 'serving', 'ci', 'cloud', 'dvc', 'gpu'].map((key) => `${key}=${row[key]}`);
  // Only what the given rows can hold (a filtered run may lack some values).
  const wanted = new Set(rows.flatMap(features));
  const chosen = [];
  while (wanted.size > 0) {
    const score = (row) => features(row).filter((feature) => wanted.has(feature)).length;
    const best = rows.reduce((a, b) => (score(b) > score(a) ? b : a));
    features(best).forEach((feature) => wanted.delete(feature));
    chosen.push(best);
  }
  return chosen;
}

/** The summary table: one line per row, aligned columns. */
export function summaryTable(results) {
  const header = ['#', 'combination', 'monitoring dvc gpu python', 'files', 'passed', 'failed', 'skipped', 'seconds', 'result'];
  const lines = results.map((r, index) => [
    String(index + 1),
    `${r.row.cloud} ${r.row.ci} ${r.row.serving} ${r.row.rollout}`,
    `${r.row.monitoring ? 'on' : 'off'} ${r.row.dvc ? 'on' : 'off'} ${r.row.gpu ? 'on' : 'off'} ${r.row.python}`,
    r.files === undefined ? '-' : String(r.files),
    r.doctor ? String(r.doctor.passed) : '-',
    r.doctor ? String(r.doctor.failed) : '-',
    r.doctor ? String(r.doctor.skipped) : '-',
    r.seconds.toFixed(1),
    r.ok ? 'ok' : `FAILED: ${r.error ?? 'doctor'}`,
  ]);
  const widths = header.map((_, column) => Math.max(header[column].length, ...lines.map((line) => line[column].length)));
  const format = (cells) => cells.map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column]))).join('  ').trimEnd();
  return [format(header), widths.map((w) => '-'.repeat(w)).join('  '), ...lines.map(format)].join('\n');
}
