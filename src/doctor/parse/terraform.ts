// Terraform read with @cdktf/hcl2json, plus a small resolver for the string
// values doctor compares: `var.x` (module arguments, tfvars, then defaults)
// and `local.x`, following module calls between directories.

import { dirname, join, normalize } from 'node:path/posix';
import type { Finding, RepoView } from '../types.js';
import { asArray, asRecord } from './yaml-file.js';
import { requireOptional } from '../tools/optional-module.js';
import { oncePerRepo } from './per-repo.js';
import { lineOfMatch } from '../check-result.js';

export const terraformRoot = 'infra/terraform/';

interface TfDirectory {
  dir: string;
  variables: Map<string, unknown>;
  locals: Map<string, unknown>;
  /** Values from *.tfvars next to or under this directory (first wins). */
  tfvars: Map<string, unknown>;
  calls: Array<{ dir: string; args: Record<string, unknown> }>;
  /** `resource`/`data` blocks: type -> list of { file, name, body }. */
  blocks: TfBlock[];
}

/** One `resource` or `data` block, its body as hcl2json gives it. */
export interface TfBlock {
  kind: 'resource' | 'data';
  type: string;
  name: string;
  file: string;
  body: Record<string, unknown>;
}

/** Where a finding about a block points: its file and the line that opens it. */
export async function blockLocation(repo: RepoView, block: TfBlock): Promise<Pick<Finding, 'file' | 'line'>> {
  return { file: block.file, line: lineOfMatch(await repo.read(block.file), `${block.kind} "${block.type}" "${block.name}"`) };
}

export interface TfModel {
  directories: Map<string, TfDirectory>;
  errors: Finding[];
}

type HclParse = typeof import('@cdktf/hcl2json')['parse'];
export type HclResult = { ok: true; json: Record<string, unknown> } | { ok: false; error: unknown };

/**
 * A Terraform file as hcl2json reads it, parsed once per RepoView whichever check asks first (the
 * parse validator, the schema check and the model below share it). The caller passes the parser it
 * loaded, so a missing optional module is reported by that caller's check.
 */
export function parsedHcl(repo: RepoView, file: string, parse: HclParse): Promise<HclResult> {
  return oncePerRepo(repo, `hcl:${file}`, async (): Promise<HclResult> => {
    try {
      return { ok: true, json: (await parse(file, await repo.read(file))) as Record<string, unknown> };
    } catch (error) {
      return { ok: false, error };
    }
  });
}

/** The Terraform model of the repository, built once per RepoView. */
export function readTerraform(repo: RepoView): Promise<TfModel> {
  return oncePerRepo(repo, 'terraform-model', () => buildTerraform(repo));
}

async function buildTerraform(repo: RepoView): Promise<TfModel> {
  const { parse } = await requireOptional<typeof import('@cdktf/hcl2json')>('@cdktf/hcl2json', 'agreement.image-repository');
  const directories = new Map<string, TfDirectory>();
  const errors: Finding[] = [];
  const directoryOf = (dir: string) => {
    let entry = directories.get(dir);
    if (!entry) {
      entry = { dir, variables: new Map(), locals: new Map(), tfvars: new Map(), calls: [], blocks: [] };
      directories.set(dir, entry);
    }
    return entry;
  };
  for (const file of repo.files.filter((path) => path.startsWith(terraformRoot) && /\.(tf|tfvars)$/.test(path))) {
    const result = await parsedHcl(repo, file, parse);
    if (!result.ok) {
      errors.push({ file, message: `HCL error: ${String((result.error as Error).message ?? result.error).split('\n')[0]}`, fix: 'Fix the HCL syntax (terraform fmt shows where).' });
      continue;
    }
    const { json } = result;
    if (file.endsWith('.tfvars')) {
      // environments/*.tfvars feed the root module.
      const target = directoryOf(dirname(file).endsWith('/environments') ? dirname(dirname(file)) : dirname(file));
      for (const [key, value] of Object.entries(json)) if (!target.tfvars.has(key)) target.tfvars.set(key, value);
      continue;
    }
    const dir = directoryOf(dirname(file));
    for (const [name, blocks] of Object.entries(asRecord(json.variable) ?? {})) dir.variables.set(name, asRecord(asArray(blocks)[0])?.default);
    for (const block of asArray(json.locals)) for (const [name, value] of Object.entries(asRecord(block) ?? {})) dir.locals.set(name, value);
    for (const blocks of Object.values(asRecord(json.module) ?? {})) {
      const args = asRecord(asArray(blocks)[0]) ?? {};
      if (typeof args.source === 'string' && args.source.startsWith('.')) dir.calls.push({ dir: normalize(join(dirname(file), args.source)), args });
    }
    for (const kind of ['resource', 'data'] as const) {
      for (const [type, named] of Object.entries(asRecord(json[kind]) ?? {})) {
        for (const [name, bodies] of Object.entries(asRecord(named) ?? {})) {
          dir.blocks.push({ kind, type, name, file, body: asRecord(asArray(bodies)[0]) ?? {} });
        }
      }
    }
  }
  return { directories, errors };
}

/** Resolves `${var.x}`/`${local.x}` inside a string value; undefined when something stays unknown. */
export function resolveTfString(model: TfModel, dir: string, value: unknown, depth = 0): string | undefined {
  if (typeof value !== 'string' || depth > 10) return undefined;
  let unknown = false;
  const resolved = value.replace(/\$\{\s*([^}]+?)\s*\}/g, (_, expression: string) => {
    const reference = /^(var|local)\.([A-Za-z_][A-Za-z0-9_-]*)$/.exec(expression);
    const result = reference ? lookup(model, dir, reference[1] as 'var' | 'local', reference[2]!, depth) : undefined;
    if (result === undefined) unknown = true;
    return result ?? '';
  });
  return unknown ? undefined : resolved;
}

function lookup(model: TfModel, dir: string, kind: 'var' | 'local', name: string, depth: number): string | undefined {
  const entry = model.directories.get(dir);
  if (!entry) return undefined;
  if (kind === 'local') return resolveTfString(model, dir, entry.locals.get(name), depth + 1);
  for (const caller of model.directories.values()) {
    for (const call of caller.calls) {
      if (call.dir === dir && name in call.args) return resolveTfString(model, caller.dir, call.args[name], depth + 1);
    }
  }
  const fromTfvars = entry.tfvars.get(name);
  if (fromTfvars !== undefined) return resolveTfString(model, dir, fromTfvars, depth + 1);
  return resolveTfString(model, dir, entry.variables.get(name), depth + 1);
}
