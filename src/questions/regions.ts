// Regions per cloud, read from templates/versions/regions.yml (the one list, shipped with the
// package): every region where the cloud runs its managed Kubernetes and the registry used, with
// its location for the searchable prompt, and the pattern that lets a newer region be typed.

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const cloudsWithRegions = ['aws', 'gcp', 'azure'] as const;
export type CloudWithRegions = (typeof cloudsWithRegions)[number];

export interface Region {
  value: string;
  location: string;
}
export interface CloudRegions {
  /** Any region of the cloud matches it, listed or not. */
  pattern: RegExp;
  /** The listed regions, the first one the default. */
  regions: readonly Region[];
}

const catalogFile = join('templates', 'versions', 'regions.yml');

/** templates/versions/regions.yml above this module (dist/ in the package, src/questions/ in tests). */
function catalogPath(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, catalogFile))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find ${catalogFile} of the mlforge package`);
    dir = parent;
  }
  return join(dir, catalogFile);
}

/** Checks the file's shape; a broken catalogue is a packaging bug, reported with the file and key. */
export function parseRegionCatalog(text: string, source = catalogFile): Record<CloudWithRegions, CloudRegions> {
  // JSON below comment lines (the file is valid YAML too, for the template loader); no YAML parser on `new`.
  const data = JSON.parse(text.replace(/^#.*$/gm, '')) as Record<string, { pattern?: unknown; regions?: unknown } | undefined>;
  const entries = cloudsWithRegions.map((cloud) => {
    const entry = data?.[cloud];
    if (typeof entry?.pattern !== 'string' || typeof entry.regions !== 'object' || entry.regions === null) {
      throw new Error(`${source}: ${cloud} needs a pattern and a map of regions`);
    }
    const pattern = new RegExp(entry.pattern);
    const regions = Object.entries(entry.regions as Record<string, unknown>).map(([value, location]) => {
      if (!pattern.test(value) || typeof location !== 'string') {
        throw new Error(`${source}: ${cloud} region ${JSON.stringify(value)} must match ${entry.pattern} and name its location`);
      }
      return { value, location };
    });
    if (regions.length === 0) throw new Error(`${source}: ${cloud} lists no region`);
    return [cloud, { pattern, regions }] as const;
  });
  return Object.fromEntries(entries) as unknown as Record<CloudWithRegions, CloudRegions>;
}

let catalog: Record<CloudWithRegions, CloudRegions> | undefined;

export function regionCatalog(): Record<CloudWithRegions, CloudRegions> {
  catalog ??= parseRegionCatalog(readFileSync(catalogPath(), 'utf8'));
  return catalog;
}

function isCloudWithRegions(cloud: string | undefined): cloud is CloudWithRegions {
  return (cloudsWithRegions as readonly (string | undefined)[]).includes(cloud);
}

/** The listed regions of a cloud; none for `local`. */
export function regionsFor(cloud: string | undefined): readonly string[] {
  return isCloudWithRegions(cloud) ? regionCatalog()[cloud].regions.map((region) => region.value) : [];
}

export function regionEntries(cloud: string | undefined): readonly Region[] {
  return isCloudWithRegions(cloud) ? regionCatalog()[cloud].regions : [];
}

export function regionPattern(cloud: string | undefined): RegExp | undefined {
  return isCloudWithRegions(cloud) ? regionCatalog()[cloud].pattern : undefined;
}
