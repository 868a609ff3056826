// The version is injected at build time by esbuild (see scripts/build.mjs) and read
// from package.json when running from source (tests).

import { readFileSync } from 'node:fs';

declare const __MLFORGE_VERSION__: string | undefined;

export const mlforgeVersion: string =
  typeof __MLFORGE_VERSION__ === 'string'
    ? __MLFORGE_VERSION__
    : (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
