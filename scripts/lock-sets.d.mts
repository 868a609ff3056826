// Types for lock-sets.mjs (plain ESM so scripts/refresh-locks.mjs needs no build step).

export interface LockSet {
  key: string;
  python: '3.11' | '3.12' | '3.13';
  cloud: 'aws' | 'gcp' | 'azure' | 'local';
  dvc: boolean;
}
export declare const pythons: Array<LockSet['python']>;
export declare const clouds: Array<LockSet['cloud']>;
export declare const lockProjectName: string;
export declare function lockSets(): LockSet[];
export declare function mlflowServerSetKey(cloud: LockSet['cloud']): string;
export declare function lockSetKey(set: Pick<LockSet, 'python' | 'cloud' | 'dvc'>): string;
export declare function splitLock(text: string): { header: string; blocks: string[] };
export declare function blockId(block: string): string;
export declare function addToStore(store: unknown, key: string, lockText: string): unknown;
