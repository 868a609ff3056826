import { readFileSync } from 'node:fs';
import { defineConfig } from 'tsup';
import { writeTemplateBundle } from './src/render/template-bundle.js';
import { loadTemplateSet } from './src/render/template-set.js';

const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };

// One bundled, minified ESM build with its small dependencies inlined keeps
// cold start low; commands, prompts, execa and the doctor's validators are
// separate chunks or external modules imported only when used. Templates are
// precompiled into dist/templates.js after the build.
export default defineConfig({
  entry: { cli: 'src/cli.ts' },
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  outDir: 'dist',
  clean: true,
  sourcemap: true,
  splitting: true,
  minify: true,
  dts: false,
  noExternal: ['commander', 'chalk', 'yaml', 'zod', 'yocto-spinner', 'handlebars'],
  // Inlined CommonJS dependencies (handlebars) call require().
  banner: { js: "import { createRequire as __mlforgeCreateRequire } from 'node:module'; const require = __mlforgeCreateRequire(import.meta.url);" },
  define: { __MLFORGE_VERSION__: JSON.stringify(version) },
  async onSuccess() {
    await writeTemplateBundle(await loadTemplateSet('templates'), 'dist/templates.js');
  },
});
