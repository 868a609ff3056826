// Terraform checked without a provider download: every resource and data
// block, argument, nested block and attribute reference against the provider's
// schema (src/doctor/schemas/terraform-schemas.ts), and every module call, module
// output and variable or local reference against the directory it points into.
// `terraform validate` needs the provider installed, which offline means only
// the mirrored ones; this check runs for every cloud and must agree with
// validate where validate runs (AWS).

import { posix } from 'node:path';
import { outcome, type CheckOutcome } from '../check-result.js';
import { parsedHcl } from '../parse/terraform.js';
import { referencesOf, type TfReference } from '../parse/terraform-references.js';
import { asArray, asRecord } from '../parse/yaml-file.js';
import { attributeNames, nestedNode, providerSchema, schemaProviders, type ProviderSchema, type SchemaNode } from '../schemas/terraform-schemas.js';
import { requireOptional } from '../tools/optional-module.js';
import type { Finding, RepoView, Rule } from '../types.js';
import { hasTerraform, missingTerraform, noTerraformReason } from './terraform.js';

/** Arguments and blocks Terraform itself gives every resource or data block. */
const metaArguments = new Set(['count', 'for_each', 'depends_on', 'provider', 'lifecycle', 'provisioner', 'connection']);
/** Arguments of a module block that are not the module's variables. */
const moduleMetaArguments = new Set(['source', 'version', 'providers', 'count', 'for_each', 'depends_on']);
/** Attributes every resource and data object has. */
const universalAttributes = new Set(['id']);

interface TfFile {
  file: string;
  text: string;
  json: Record<string, unknown>;
}

interface Directory {
  files: TfFile[];
  variables: Map<string, { required: boolean }>;
  outputs: Set<string>;
  locals: Set<string>;
  modules: Map<string, { dir?: string; file: string; body: Record<string, unknown> }>;
  declared: Set<string>;
}

export const terraformSchemaCheck: Rule = {
  title: 'Terraform matches its providers and modules: resource types, arguments, blocks, attribute, module, variable and local references',
  applies: hasTerraform,
  inapplicableReason: noTerraformReason,
  run: async (repo) => missingTerraform(repo) ?? checkTerraform(repo),
};

async function checkTerraform(repo: RepoView): Promise<CheckOutcome> {
  const { parse } = await requireOptional<typeof import('@cdktf/hcl2json')>('@cdktf/hcl2json', 'validator.terraform-schema');
  const directories = new Map<string, Directory>();
  for (const file of repo.files.filter((path) => path.endsWith('.tf'))) {
    const text = await repo.read(file);
    const result = await parsedHcl(repo, file, parse);
    if (!result.ok) continue; // validator.terraform-parse reports it
    const { json } = result;
    const dirName = posix.dirname(file);
    let dir = directories.get(dirName);
    if (!dir) directories.set(dirName, (dir = { files: [], variables: new Map(), outputs: new Set(), locals: new Set(), modules: new Map(), declared: new Set() }));
    dir.files.push({ file, text, json });
    for (const [name, bodies] of Object.entries(asRecord(json.variable) ?? {})) dir.variables.set(name, { required: !('default' in (asRecord(asArray(bodies)[0]) ?? {})) });
    for (const name of Object.keys(asRecord(json.output) ?? {})) dir.outputs.add(name);
    for (const block of asArray(json.locals)) for (const name of Object.keys(asRecord(block) ?? {})) dir.locals.add(name);
    for (const [name, bodies] of Object.entries(asRecord(json.module) ?? {})) {
      const body = asRecord(asArray(bodies)[0]) ?? {};
      const source = typeof body.source === 'string' && /^\.\.?\//.test(body.source) ? posix.normalize(posix.join(dirName, body.source)) : undefined;
      dir.modules.set(name, { ...(source ? { dir: source } : {}), file, body });
    }
    for (const kind of ['resource', 'data'] as const) {
      for (const [type, named] of Object.entries(asRecord(json[kind]) ?? {})) for (const name of Object.keys(asRecord(named) ?? {})) dir.declared.add(`${kind}.${type}.${name}`);
    }
  }

  const findings: Finding[] = [];
  const used = new Set<string>();
  const unchecked = new Set<string>();
  let blocks = 0;
  for (const [dirName, dir] of directories) {
    for (const tf of dir.files) {
      for (const kind of ['resource', 'data'] as const) {
        for (const [type, named] of Object.entries(asRecord(tf.json[kind]) ?? {})) {
          const schema = schemaFor(type);
          if (!schema) {
            unchecked.add(type.split('_')[0]!);
            continue;
          }
          used.add(`${schema.provider} ${schema.version}`);
          for (const [name, bodies] of Object.entries(asRecord(named) ?? {})) {
            blocks++;
            const node = schema[kind][type];
            const at = { tf, kind, type, name };
            if (!node) {
              findings.push(finding(at, [], `${kind === 'data' ? 'data source' : 'resource type'} ${type} does not exist in ${schema.provider} ${schema.version}`, 'Use a type the provider documents (check the spelling and the provider version).'));
              continue;
            }
            for (const body of asArray(bodies)) checkBody(asRecord(body) ?? {}, node, at, [], findings, true);
          }
        }
      }
      for (const reference of referencesOf(tf.json)) checkReference(reference, dirName, dir, directories, tf, findings);
    }
    for (const [name, call] of dir.modules) checkModuleCall(name, call, directories, findings);
  }
  const providers = [...used].sort().join(', ') || 'no provider with a schema';
  const others = unchecked.size > 0 ? `; types of ${[...unchecked].sort().join(', ')} have no schema here and were checked only for references` : '';
  return outcome(dedupe(findings), `${blocks} resource and data blocks in ${directories.size} directories checked against ${providers}${others}`);
}

function schemaFor(type: string): ProviderSchema | undefined {
  const prefix = type.split('_')[0]!;
  return (schemaProviders as readonly string[]).includes(prefix) ? providerSchema(prefix) : undefined;
}

interface BlockAt {
  tf: TfFile;
  kind: 'resource' | 'data';
  type: string;
  name: string;
}

function checkBody(body: Record<string, unknown>, node: SchemaNode, at: BlockAt, path: string[], findings: Finding[], topLevel: boolean): void {
  const known = new Set([...(node.r ?? []), ...(node.a ?? []), ...Object.keys(node.b ?? {})]);
  const present = new Set(Object.keys(body));
  for (const [key, value] of Object.entries(body)) {
    if (topLevel && metaArguments.has(key)) continue;
    if (key === 'dynamic') {
      for (const [blockName, generators] of Object.entries(asRecord(value) ?? {})) {
        present.add(blockName);
        const nested = node.b?.[blockName];
        if (!nested) {
          findings.push(finding(at, [...path, blockName], `${describe(at, path)} has no block "${blockName}" (dynamic block)`, fixFor(node, blockName)));
          continue;
        }
        for (const generator of asArray(generators)) for (const content of asArray(asRecord(generator)?.content)) checkBody(asRecord(content) ?? {}, nested, at, [...path, blockName], findings, false);
      }
      continue;
    }
    if (!known.has(key)) {
      // Computed-only attributes cannot be set: say so rather than "unknown".
      const computed = node.c && key in node.c;
      findings.push(finding(at, [...path, key], `${describe(at, path)} ${computed ? `cannot set "${key}": the provider computes it` : `has no argument or block "${key}"`}`, fixFor(node, key)));
      continue;
    }
    const nested = node.b?.[key];
    if (nested) for (const item of asArray(value)) if (asRecord(item)) checkBody(asRecord(item)!, nested, at, [...path, key], findings, false);
  }
  for (const required of node.r ?? []) {
    if (!present.has(required)) findings.push(finding(at, path, `${describe(at, path)} lacks the required ${node.b?.[required] ? 'block' : 'argument'} "${required}"`, `Set "${required}" (required by the provider).`));
  }
}

function checkReference(reference: TfReference, dirName: string, dir: Directory, directories: Map<string, Directory>, tf: TfFile, findings: Finding[]): void {
  const where = { file: tf.file, ...lineOf(tf.text, reference.text) };
  if (reference.kind === 'var') {
    if (!dir.variables.has(reference.name)) findings.push({ ...where, message: `${reference.text}: no variable "${reference.name}" is declared in ${dirName}`, fix: `Declare variable "${reference.name}" in ${dirName}/variables.tf or correct the name.` });
    return;
  }
  if (reference.kind === 'local') {
    if (!dir.locals.has(reference.name)) findings.push({ ...where, message: `${reference.text}: no local value "${reference.name}" is defined in ${dirName}`, fix: 'Define it in a locals block of that directory or correct the name.' });
    return;
  }
  if (reference.kind === 'module') {
    const call = dir.modules.get(reference.name);
    if (!call) {
      findings.push({ ...where, message: `${reference.text}: no module "${reference.name}" is called in ${dirName}`, fix: 'Correct the module name or add the module block.' });
      return;
    }
    const output = reference.path[0];
    const target = call.dir ? directories.get(call.dir) : undefined;
    if (output && target && !target.outputs.has(output)) {
      findings.push({ ...where, message: `${reference.text}: module "${reference.name}" (${call.dir}) has no output "${output}"`, fix: `Use one of its outputs (${[...target.outputs].sort().join(', ') || 'none'}) or add output "${output}" to ${call.dir}/outputs.tf.` });
    }
    return;
  }
  const schema = schemaFor(reference.type!);
  if (!schema) return;
  if (!dir.declared.has(`${reference.kind}.${reference.type}.${reference.name}`)) {
    findings.push({ ...where, message: `${reference.text}: no ${reference.kind === 'data' ? 'data source' : 'resource'} ${reference.type}.${reference.name} is declared in ${dirName}`, fix: 'Correct the name, or declare it in this module (resources of other modules are reached through module outputs).' });
    return;
  }
  let node: SchemaNode | undefined = schema[reference.kind][reference.type!];
  for (const [index, step] of reference.path.entries()) {
    if (!node) return;
    const names = attributeNames(node);
    if (index === 0) for (const name of universalAttributes) names.add(name);
    if (!names.has(step)) {
      const near = closest(step, names);
      findings.push({ ...where, message: `${reference.text}: ${reference.type} has no attribute "${[...reference.path.slice(0, index), step].join('.')}" in ${schema.provider} ${schema.version}`, fix: near ? `Did you mean "${near}"?` : `Use an attribute the provider documents for ${reference.type}.` });
      return;
    }
    node = nestedNode(node, step);
  }
}

function checkModuleCall(name: string, call: Directory['modules'] extends Map<string, infer V> ? V : never, directories: Map<string, Directory>, findings: Finding[]): void {
  if (!call.dir) return; // a registry or git module: its interface is not in the repository
  const target = directories.get(call.dir);
  const tf = { file: call.file };
  if (!target) {
    findings.push({ ...tf, message: `module "${name}": source ${String(call.body.source)} has no .tf files (${call.dir})`, fix: 'Point source at the module directory.' });
    return;
  }
  for (const argument of Object.keys(call.body)) {
    if (moduleMetaArguments.has(argument) || target.variables.has(argument)) continue;
    findings.push({ ...tf, message: `module "${name}" passes "${argument}", which ${call.dir} does not declare as a variable`, fix: `Declare variable "${argument}" in ${call.dir}/variables.tf or remove the argument.` });
  }
  for (const [variable, { required }] of target.variables) {
    if (required && !(variable in call.body)) findings.push({ ...tf, message: `module "${name}" does not set "${variable}", which ${call.dir} requires (no default)`, fix: `Pass ${variable} = ... in the module block, or give the variable a default.` });
  }
}

function finding(at: BlockAt, path: string[], message: string, fix: string): Finding {
  return { file: at.tf.file, ...lineOf(at.tf.text, path.at(-1) ?? at.name, `${at.kind} "${at.type}" "${at.name}"`), message, fix };
}

function describe(at: BlockAt, path: string[]): string {
  return `${at.kind === 'data' ? 'data ' : ''}${at.type}.${at.name}${path.length > 0 ? ` block ${path.join('.')}` : ''}`;
}

function fixFor(node: SchemaNode, wrong: string): string {
  const names = [...(node.r ?? []), ...(node.a ?? []), ...Object.keys(node.b ?? {})].sort();
  const near = closest(wrong, names);
  if (near) return `Did you mean "${near}"?`;
  return `Use a name the provider documents here${names.length <= 12 ? ` (${names.join(', ')})` : ''}.`;
}

/** The known name nearest to a wrong one: most shared words, then fewest edits; none when nothing is close. */
export function closest(wrong: string, names: Iterable<string>): string | undefined {
  const words = new Set(wrong.split('_'));
  let best: { name: string; shared: number; distance: number } | undefined;
  for (const name of names) {
    const shared = name.split('_').filter((word) => words.has(word)).length;
    const distance = editDistance(wrong, name);
    if (shared === 0 && distance > Math.max(2, Math.floor(wrong.length / 3))) continue;
    if (!best || shared > best.shared || (shared === best.shared && distance < best.distance)) best = { name, shared, distance };
  }
  return best?.name;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[b.length]!;
}

/** The line of `needle` in `text`, searched after `after` when given. */
function lineOf(text: string, needle: string, after?: string): { line?: number } {
  const start = after ? Math.max(text.indexOf(after), 0) : 0;
  const index = text.indexOf(needle, start);
  return index < 0 ? {} : { line: text.slice(0, index).split('\n').length };
}

function dedupe(findings: Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((item) => {
    const key = `${item.file}:${item.line}:${item.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
