// Types for matrix-plan.mjs (plain ESM so the runner needs no build step).

export interface MatrixRow {
  cloud: 'aws' | 'gcp' | 'azure' | 'local';
  ci: 'github' | 'gitlab';
  serving: 'fastapi' | 'kserve';
  rollout: 'rolling' | 'canary';
  monitoring: boolean;
  dvc: boolean;
  gpu: boolean;
  python: '3.11' | '3.12' | '3.13';
  name: string;
}

export interface RowResult {
  row: MatrixRow;
  ok: boolean;
  files?: number;
  doctor?: { passed: number; failed: number; skipped: number; total: number };
  seconds: number;
  error?: string;
}

export const factors: Record<string, readonly (string | boolean)[]>;
export function isValid(row: Partial<MatrixRow>): boolean;
export function coreCombinations(): Array<Pick<MatrixRow, 'cloud' | 'ci' | 'serving' | 'rollout'>>;
export function allPairs(): Set<string>;
export function pairsOf(row: Omit<MatrixRow, 'name'>): string[];
export function matrixRows(): MatrixRow[];
export function newArgs(row: MatrixRow, directory: string): string[];
export function representativeSubset(rows: MatrixRow[]): MatrixRow[];
export function summaryTable(results: RowResult[]): string;
