// The launcher, built twice: dist/launcher.cjs for the command (bin/mlforge.cjs, CommonJS so
// that node need not start its ES module loader) and dist/cli.js for `import` (bin/mlforge.js,
// tests). `--version` is answered at once, every
// other command from the single CommonJS bundle dist/main.cjs (src/cli.ts),
// compiled from V8's code cache (dist/main.cache, written at build time) so
// that start-up skips parsing and compiling it. When the cache is missing or
// rejected (another Node.js version, other V8 flags), V8 compiles the source as
// usual and the cache is rewritten after the command, where dist/ is writable
// (like Python's __pycache__; never from a shared or temporary directory).

import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Script } from 'node:vm';
import type { CommandContext } from './ui/context.js';
import { mlforgeVersion } from './version.js';

type Main = typeof import('./cli.js');

declare const __dirname: string | undefined;
/** dist/: __dirname in the CommonJS build, import.meta.url in the ES module one. */
const distDir = () => (typeof __dirname === 'string' ? __dirname : dirname(fileURLToPath(import.meta.url)));

export async function run(argv: string[], ctx?: CommandContext): Promise<number> {
  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
    (ctx?.stdout ?? process.stdout).write(`${mlforgeVersion}\n`);
    return 0;
  }
  const main = loadMain(distDir());
  try {
    return await main.exports.run(argv, ctx);
  } finally {
    main.saveCache();
  }
}

/** Evaluates dist/main.cjs like node's CommonJS loader does, but with cached data. */
export function loadMain(dir: string): { exports: Main; saveCache: () => void } {
  const file = join(dir, 'main.cjs');
  const cacheFile = join(dir, 'main.cache');
  let cachedData: Buffer | undefined;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  // One wrapper line, as node's own: stack traces keep the bundle's line numbers (+1).
  const source = `(function (exports, require, module, __filename, __dirname, __mlforgeModuleUrl) {${readFileSync(file, 'utf8')}\n})`;
  const script = new Script(source, { filename: file, ...(cachedData ? { cachedData } : {}) });
  const module = { exports: {} as Main };
  (script.runInThisContext() as (...args: unknown[]) => void)(module.exports, createRequire(file), module, file, dir, pathToFileURL(file).href);
  return {
    exports: module.exports,
    saveCache() {
      if (cachedData && !script.cachedDataRejected) return;
      const temporary = `${cacheFile}.${process.pid}.tmp`;
      try {
        writeFileSync(temporary, script.createCachedData());
        renameSync(temporary, cacheFile);
      } catch {
        // A read-only installation keeps working without the cache.
        rmSync(temporary, { force: true });
      }
    },
  };
}
