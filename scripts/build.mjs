#!/usr/bin/env node
// Builds dist/: one minified ESM bundle of src/cli.ts with code splitting (commands,
// prompts and the doctor's validators load only when used) and its small
// dependencies inlined, then precompiles templates/ into dist/templates.js.
// esbuild directly rather than a wrapper: nothing else is needed, and the npm
// registry reachable here lacks some platform packages of wrapper toolchains.

import { mkdtemp, readFile, rm } from 'node:fs/promises';
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
  external,
  logLevel: 'warning',
  // Inlined CommonJS dependencies (handlebars) call require().
  banner: { js: "import { createRequire as __mlforgeCreateRequire } from 'node:module'; const require = __mlforgeCreateRequire(import.meta.url);" },
};

await rm('dist', { recursive: true, force: true });
await build({
  ...common,
  entryPoints: { cli: 'src/cli.ts' },
  outdir: 'dist',
  splitting: true,
  minify: true,
  sourcemap: true,
  define: { __MLFORGE_VERSION__: JSON.stringify(pkg.version) },
});

// The template bundle is written by the same TypeScript code the CLI runs, built here for the occasion.
const scratch = await mkdtemp(join(tmpdir(), 'mlforge-build-'));
try {
  const writer = join(scratch, 'write-templates.mjs');
  await build({ ...common, entryPoints: ['scripts/write-templates.ts'], outfile: writer });
  const { writeTemplates } = await import(pathToFileURL(writer).href);
  await writeTemplates('templates', 'dist/templates.js');
} finally {
  await rm(scratch, { recursive: true, force: true });
}
console.log(`built dist/ (mlforge ${pkg.version})`);
