// The uv lock store as the build ships it, in dist/locks/: every distinct text of
// templates/versions/locks.yml (set headers and [[package]] blocks) once in
// blocks.txt, and per dependency set a small <key>.json holding the byte ranges
// of its header and blocks. `mlforge new` needs one set (~1 MB of the ~3 MB
// store): it reads that set's ranges and decodes only them, instead of parsing
// the whole store. scripts/build.mjs writes the files (lockFiles), the bundled
// template set reads them (lockFileReader).

import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { lockSetOf, type LockReader, type LockSet, type LockStore } from './uv-lock.js';

/** <key>.json: [start, end) byte offsets in blocks.txt, the header's first, then the blocks' in lock order. */
interface SetRanges {
  project: string;
  ranges: number[];
}

export const lockBlocksFile = 'blocks.txt';

/** The files of dist/locks/ for a store, by name. */
export function lockFiles(store: LockStore): Map<string, Buffer> {
  const texts: Buffer[] = [];
  const placed = new Map<string, [number, number]>();
  let size = 0;
  // In the order sets use them, so that most of a set's blocks follow each other and read at once.
  const place = (text: string): [number, number] => {
    let range = placed.get(text);
    if (range === undefined) {
      const bytes = Buffer.from(text, 'utf8');
      range = [size, size + bytes.length];
      size += bytes.length;
      texts.push(bytes);
      placed.set(text, range);
    }
    return range;
  };
  const files = new Map<string, Buffer>();
  for (const key of Object.keys(store.sets)) {
    if (!/^[0-9A-Za-z.-]+$/.test(key)) throw new Error(`templates/versions/locks.yml: the set key ${key} is not a file name`);
    const set = lockSetOf(store, key)!;
    const ranges: SetRanges = { project: set.project, ranges: [set.header, ...set.blocks].flatMap(place) };
    files.set(`${key}.json`, Buffer.from(JSON.stringify(ranges)));
  }
  files.set(lockBlocksFile, Buffer.concat(texts));
  return files;
}

/** Reads one set at a time from the files lockFiles wrote to `dir`. */
export function lockFileReader(dir: string): LockReader {
  return {
    lockSet(key: string): LockSet | undefined {
      if (!/^[0-9A-Za-z.-]+$/.test(key)) return undefined;
      let index: SetRanges;
      try {
        index = JSON.parse(readFileSync(join(dir, `${key}.json`), 'utf8')) as SetRanges;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
      const fd = openSync(join(dir, lockBlocksFile), 'r');
      try {
        const [header, ...blocks] = readRanges(fd, index.ranges);
        return { project: index.project, header: header!, blocks };
      } finally {
        closeSync(fd);
      }
    },
  };
}

/** The texts at `ranges` ([start, end) pairs), each run of ranges that follow each other in the file read at once. */
function readRanges(fd: number, ranges: number[]): string[] {
  const count = ranges.length / 2;
  const byStart = Array.from({ length: count }, (_, index) => index).sort((a, b) => ranges[2 * a]! - ranges[2 * b]!);
  const texts = new Array<string>(count);
  for (let first = 0; first < count; ) {
    let last = first;
    while (last + 1 < count && ranges[2 * byStart[last + 1]!] === ranges[2 * byStart[last]! + 1]) last++;
    const start = ranges[2 * byStart[first]!]!;
    const bytes = Buffer.allocUnsafe(ranges[2 * byStart[last]! + 1]! - start);
    for (let done = 0; done < bytes.length; ) {
      const read = readSync(fd, bytes, done, bytes.length - done, start + done);
      if (read === 0) throw new Error(`${lockBlocksFile} of the lock store is shorter than its index`);
      done += read;
    }
    for (let at = first; at <= last; at++) {
      const index = byStart[at]!;
      texts[index] = bytes.toString('utf8', ranges[2 * index]! - start, ranges[2 * index + 1]! - start);
    }
    first = last + 1;
  }
  return texts;
}
