import { readFileSync } from 'node:fs';
import { defineConfig } from 'tsup';

const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };

// One bundled ESM entry keeps cold start low; prompts and validators stay as
// lazily imported external modules so `--version` never loads them.
export default defineConfig({
  entry: { cli: 'src/cli.ts' },
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  outDir: 'dist',
  clean: true,
  sourcemap: true,
  splitting: true,
  dts: false,
  define: { __MLFORGE_VERSION__: JSON.stringify(version) },
});
