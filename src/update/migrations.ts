// Declared template moves between releases: templates/migrations/<version>.yml
// lists `moves: [{ from, to }]` (paths under templates/files) made by that
// release. An update from A to B applies every release in (A, B], in order, so
// your edits follow a moved file to its new place.

import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { compareVersions } from './versions.js';

/** New template path -> the template path it had in release `from`. */
export async function movedFrom(templatesRoot: string, from: string, to: string): Promise<Map<string, string>> {
  const dir = join(templatesRoot, 'migrations');
  if (!existsSync(dir)) return new Map();
  const releases = (await readdir(dir))
    .filter((name) => name.endsWith('.yml'))
    .map((name) => name.slice(0, -'.yml'.length))
    .filter((version) => compareVersions(version, from) > 0 && compareVersions(version, to) <= 0)
    .sort(compareVersions);
  // origin: current path -> path in `from`
  const origin = new Map<string, string>();
  for (const version of releases) {
    const file = join(dir, `${version}.yml`);
    const data = (parseYaml(await readFile(file, 'utf8')) ?? {}) as { moves?: unknown };
    const moves = data.moves ?? [];
    if (!Array.isArray(moves)) throw new Error(`templates/migrations/${version}.yml: "moves" must be a list of { from, to }`);
    for (const [index, move] of moves.entries()) {
      const { from: old, to: now } = (move ?? {}) as { from?: unknown; to?: unknown };
      if (typeof old !== 'string' || typeof now !== 'string') {
        throw new Error(`templates/migrations/${version}.yml: moves[${index}] needs "from" and "to" template paths`);
      }
      origin.set(now, origin.get(old) ?? old);
      if (origin.get(old) !== undefined && old !== now) origin.delete(old);
    }
  }
  return origin;
}
