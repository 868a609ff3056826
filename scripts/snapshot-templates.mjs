#!/usr/bin/env node
// Records a release's templates into templates/history/, so `mlforge update`
// can re-render exactly what that release generated, offline:
//   objects/<sha256>   one gzipped file per distinct content, named by the SHA-256 of the
//                      text (releases add only what changed)
//   <version>.json     the release's paths -> object, executable bits, fingerprint,
//                      and the constants its src/derive.ts handed to templates
//
//   node scripts/snapshot-templates.mjs                       # templates/ as package.json's version
//   node scripts/snapshot-templates.mjs --git b65f364         # a commit's templates, as its version
//   node scripts/snapshot-templates.mjs --git <rev> --version 0.1.0
//
// The fingerprint formula is templateFingerprint in src/plan/provenance.ts; a
// test (test/update/template-history.test.ts) keeps the two equal.

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const historyDir = join(repo, 'templates', 'history');
const parts = ['files', 'partials', 'manifest', 'versions'];

const args = process.argv.slice(2);
const option = (name) => {
  const index = args.indexOf(name);
  return index >= 0 ? args[index + 1] : undefined;
};
const rev = option('--git');

const scratch = mkdtempSync(join(tmpdir(), 'mlforge-snapshot-'));
try {
  const root = rev ? extract(rev, scratch) : repo;
  const version = option('--version') ?? JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;
  const entries = listTemplates(join(root, 'templates'));
  const added = storeObjects(entries);
  const context = await pinnedContext(root, entries, scratch);
  const manifest = {
    version,
    fingerprint: fingerprint(entries),
    files: Object.fromEntries(entries.map((entry) => [entry.path, sha256(entry.contents)])),
    executable: entries.filter((entry) => entry.executable).map((entry) => entry.path),
    context,
  };
  writeFileSync(join(historyDir, `${version}.json`), `${JSON.stringify(manifest, null, 2)}\n`);
  console.log(`templates/history/${version}.json: ${entries.length} files, ${added} new objects${rev ? ` (from ${rev})` : ''}`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

/** The commit's templates/ and src/ (for its derive.ts) and package.json, into a scratch folder. */
function extract(commit, into) {
  const target = join(into, 'tree');
  mkdirSync(target);
  const archive = execFileSync('git', ['-C', repo, 'archive', '--format=tar', commit, 'templates', 'src', 'package.json'], {
    maxBuffer: 64 * 1024 * 1024,
  });
  execFileSync('tar', ['-x', '-C', target], { input: archive });
  return target;
}

function listTemplates(templatesRoot) {
  const entries = [];
  for (const part of parts) {
    const dir = join(templatesRoot, part);
    if (!existsSync(dir)) continue;
    for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
      if (!entry.isFile()) continue;
      const absolute = join(entry.parentPath, entry.name);
      if (part !== 'files' && part !== 'partials' && !entry.name.endsWith('.yml')) continue;
      entries.push({
        path: relative(templatesRoot, absolute).split(sep).join('/'),
        contents: readFileSync(absolute, 'utf8'),
        executable: part === 'files' && (statSync(absolute).mode & 0o111) !== 0,
      });
    }
  }
  return entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

function storeObjects(entries) {
  const objects = join(historyDir, 'objects');
  mkdirSync(objects, { recursive: true });
  let added = 0;
  for (const entry of entries) {
    const file = join(objects, sha256(entry.contents));
    if (existsSync(file)) continue;
    // gzip: the history ships in the package; the name is the SHA-256 of the text itself.
    writeFileSync(file, gzipSync(Buffer.from(entry.contents, 'utf8'), { level: 9 }));
    added++;
  }
  return added;
}

function sha256(text) {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

function fingerprint(entries) {
  return `sha256:${sha256(entries.map((entry) => `${entry.path} ${entry.executable ? 'x' : '-'} ${sha256(entry.contents)}\n`).join(''))}`;
}

/**
 * The values that release's derive.ts computed the same for every answer set
 * (port, health paths, metric names, ...). A base re-render pins them, so a later
 * change to derive.ts cannot silently change what an old release rendered.
 */
async function pinnedContext(root, entries, into) {
  const entry = join(into, 'constants-entry.mjs');
  writeFileSync(
    entry,
    [
      `import { deriveContext } from ${JSON.stringify(join(root, 'src', 'derive.ts'))};`,
      `import { questions } from ${JSON.stringify(join(root, 'src', 'questions', 'table.ts'))};`,
      'export { deriveContext, questions };',
    ].join('\n'),
  );
  // Beside the source tree, so that modules which find the package's templates/ by walking up (regions) do.
  mkdirSync(join(root, '.cache'), { recursive: true });
  const outfile = join(root, '.cache', `snapshot-constants-${process.pid}.mjs`);
  await build({ entryPoints: [entry], outfile, bundle: true, platform: 'node', format: 'esm', nodePaths: [join(repo, 'node_modules')], logLevel: 'warning',
    // Inlined CommonJS dependencies (yaml) call require().
    banner: { js: "import { createRequire as __snapshotRequire } from 'node:module'; const require = __snapshotRequire(import.meta.url);" } });
  const { deriveContext, questions } = await import(pathToFileURL(outfile).href).finally(() => rmSync(outfile, { force: true }));
  const { parse } = await import('yaml');
  const versions = Object.fromEntries(
    entries.filter((e) => e.path.startsWith('versions/')).map((e) => [e.path.slice('versions/'.length).replace(/\.yml$/, ''), parse(e.contents) ?? {}]),
  );
  const variations = [
    {},
    { name: 'other-service', python: '3.11', cloud: 'gcp', ci: 'gitlab', serving: 'kserve', monitoring: false, dvc: true, gpu: true },
    { name: 'third-svc', python: '3.13', cloud: 'azure', rollout: 'canary' },
    { name: 'fourth-one', cloud: 'local' },
  ];
  const contexts = variations.map((overrides) => deriveContext(answersWith(questions, overrides), versions, '0.0.0'));
  const answerKeys = new Set(questions.map((question) => question.key));
  const constants = {};
  for (const key of Object.keys(contexts[0]).sort()) {
    if (answerKeys.has(key) || key === 'versions' || key === 'mlforgeVersion') continue;
    const json = JSON.stringify(contexts[0][key]);
    if (json !== undefined && contexts.every((context) => JSON.stringify(context[key]) === json)) constants[key] = JSON.parse(json);
  }
  return constants;
}

function answersWith(questions, overrides) {
  const answers = {};
  for (const question of questions) {
    const applicable = question.when?.(answers) ?? true;
    answers[question.key] = !applicable ? question.inapplicable : question.key in overrides ? overrides[question.key] : question.default(answers, {});
  }
  return answers;
}
