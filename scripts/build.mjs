#!/usr/bin/env node
// Builds dist/ (no source maps):
// - main.cjs: the program (src/cli.ts) as one minified CommonJS bundle with its small
//   dependencies inlined and templates/ compiled to plain JavaScript functions (bundled in
//   place of src/render/bundled-templates.ts); heavy doctor dependencies stay external and
//   load only when a command needs them;
// - main.cache: V8's code cache of main.cjs, made after real `new` runs;
// - launcher.cjs and cli.js: the launcher (src/launcher.ts) for bin/mlforge.cjs (the command) and
//   bin/mlforge.js (`import { run }`).
// esbuild directly rather than a wrapper: nothing else is needed, and the npm
// registry reachable here lacks some platform packages of wrapper toolchains.

import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8'));
// Small dependencies that every command needs are bundled; the rest stay external and load lazily.
const inlined = new Set(['commander', 'chalk', 'yaml', 'zod', 'yocto-spinner', 'handlebars']);
// Runtime dependencies and doctor's optional validators (peerDependencies) stay external.
const external = [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {})].filter((name) => !inlined.has(name));

const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  logLevel: 'warning',
  // Inlined CommonJS dependencies call require().
  banner: { js: "import { createRequire as __mlforgeCreateRequire } from 'node:module'; const require = __mlforgeCreateRequire(import.meta.url);" },
};

/** templates/ as the source of one JavaScript module and the lock store's files, by the same TypeScript code the tests run. */
async function compiledTemplates() {
  const scratch = await mkdtemp(join(tmpdir(), 'mlforge-build-'));
  try {
    const writer = join(scratch, 'write-templates.mjs');
    await build({ ...common, entryPoints: ['scripts/write-templates.ts'], outfile: writer });
    const { templateModuleSource } = await import(pathToFileURL(writer).href);
    return await templateModuleSource('templates');
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

const { module: templatesModule, locks } = await compiledTemplates();
const bundledTemplates = {
  name: 'bundled-templates',
  setup(builder) {
    builder.onResolve({ filter: /\/bundled-templates\.js$/ }, () => ({ path: 'bundled-templates', namespace: 'mlforge-generated' }));
    builder.onLoad({ filter: /.*/, namespace: 'mlforge-generated' }, () => ({ contents: templatesModule, loader: 'js' }));
  },
};

await rm('dist', { recursive: true, force: true });
await mkdir('dist', { recursive: true });
// The uv lock store as one file of texts and a small index per set (src/plan/lock-files.ts):
// a plan reads only its own set's part.
await mkdir(join('dist', 'locks'));
for (const [name, contents] of locks) await writeFile(join('dist', 'locks', name), contents);
// The Terraform provider schemas (src/doctor/schemas/terraform-schemas.ts), gzipped (2.3 MB -> 0.4 MB):
// read by doctor, one provider at a time.
await mkdir(join('dist', 'schemas', 'terraform'), { recursive: true });
for (const name of await readdir(join('src', 'doctor', 'schemas', 'terraform'))) {
  const json = await readFile(join('src', 'doctor', 'schemas', 'terraform', name));
  await writeFile(join('dist', 'schemas', 'terraform', `${name}.gz`), gzipSync(json, { level: 9 }));
}
// The program: one CommonJS bundle, so that dist/cli.js can compile it from V8's code cache
// (node 20 has no code cache for ES modules). import() becomes require(), which loads the
// ES-module-only dependencies too (require(esm), node >= 20.19), only when a command needs them.
await build({
  ...common,
  format: 'cjs',
  banner: {},
  entryPoints: { main: 'src/cli.ts' },
  outdir: 'dist',
  outExtension: { '.js': '.cjs' },
  external: [...external, 'handlebars'],
  supported: { 'dynamic-import': false },
  // MLFORGE_BUILD_READABLE=1 keeps the names, for reading CPU profiles (node --cpu-prof).
  minifyWhitespace: true,
  minifySyntax: true,
  minifyIdentifiers: !process.env.MLFORGE_BUILD_READABLE,
  plugins: [bundledTemplates],
  define: { __MLFORGE_VERSION__: JSON.stringify(pkg.version), 'import.meta.url': '__mlforgeModuleUrl' },
});
// The launcher (src/launcher.ts): answers --version itself, loads dist/main.cjs for the rest. As
// CommonJS for the command (bin/mlforge.cjs) and as an ES module for `import` (bin/mlforge.js).
for (const [name, format] of [['launcher.cjs', 'cjs'], ['cli.js', 'esm']]) {
  await build({
    ...common,
    format,
    banner: {},
    entryPoints: ['src/launcher.ts'],
    outfile: join('dist', name),
    minify: true,
    logOverride: { 'empty-import-meta': 'silent' }, // the CommonJS build uses __dirname instead
    define: { __MLFORGE_VERSION__: JSON.stringify(pkg.version) },
  });
}

// The code cache: compiled after real runs, so it holds the functions `new` executes (every
// template included), not only the top level.
const { loadMain } = await import(pathToFileURL(join(process.cwd(), 'dist', 'cli.js')).href);
const main = loadMain(join(process.cwd(), 'dist'));
const training = await mkdtemp(join(tmpdir(), 'mlforge-build-cache-'));
try {
  const answers = [
    [],
    ['--cloud', 'gcp', '--region', 'europe-west1', '--ci', 'gitlab', '--serving', 'kserve', '--dvc', '--gpu', '--no-monitoring'],
    ['--cloud', 'azure', '--rollout', 'canary', '--python', '3.11'],
    ['--cloud', 'local', '--rollout', 'canary'],
  ];
  for (const [index, flags] of answers.entries()) {
    const code = await main.exports.run(['new', join(training, `svc-${index}`), '--yes', '--no-git', '--quiet', ...flags]);
    if (code !== 0) throw new Error(`building the code cache: mlforge new ${flags.join(' ')} exited ${code}`);
  }
} finally {
  await rm(training, { recursive: true, force: true });
}
main.saveCache();
console.log(`built dist/ (mlforge ${pkg.version})`);
