#!/usr/bin/env node
// Extracts the compact Terraform provider schemas that `mlforge doctor` checks
// Google, Azure (and, for symmetry, AWS) Terraform against, from the prebuilt
// CDKTF bindings on the npm registry. Run it when a provider constraint in
// templates/versions/terraform.yml moves:
//
//   node scripts/extract-provider-schemas.mjs
//
// Each package is fetched with `npm pack` into a temporary directory (they are
// 30-40 MB each, so they are never dependencies). Two sources in a package:
// - .jsii: every resource and data source, its configuration struct and the
//   nested block structs, with each argument's Terraform name (the registry
//   anchor in its docs) and whether it is optional;
// - lib/**/*.js: the computed-only attributes, which only the generated getters
//   name (`// endpoint - computed: true, optional: false, required: false`), and
//   which nested struct a computed list of objects holds.
// The output, src/doctor/schemas/terraform/<provider>.json, maps each type to
// a node { r: required args, a: optional args, b: { block: node }, c: { computed
// attribute: node | 0 } } (keys left out when empty).

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Provider, the binding release that was generated from a provider version inside our constraint, and that version. */
const packages = [
  { provider: 'google', npm: '@cdktf/provider-google@16.12.1', version: '6.50.0' },
  { provider: 'azurerm', npm: '@cdktf/provider-azurerm@14.23.1', version: '4.55.0' },
  { provider: 'random', npm: '@cdktf/provider-random@12.0.1', version: '3.7.2' },
  { provider: 'aws', npm: '@cdktf/provider-aws@19.65.1', version: '5.99.1' },
];

/** Struct properties with no registry anchor, named from their camelCase name instead (printed). */
const unnamed = [];

const outDir = new URL('../src/doctor/schemas/terraform/', import.meta.url).pathname;
mkdirSync(outDir, { recursive: true });

for (const entry of packages) {
  const work = mkdtempSync(join(tmpdir(), 'mlforge-schema-'));
  try {
    const tarball = execFileSync('npm', ['pack', '--silent', entry.npm], { cwd: work, encoding: 'utf8' }).trim().split('\n').pop();
    execFileSync('tar', ['xzf', tarball], { cwd: work });
    const root = join(work, 'package');
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    if (!readme.includes(`provider version ${entry.version}`)) throw new Error(`${entry.npm} does not say it binds ${entry.provider} ${entry.version}`);
    const schema = extract(root, entry);
    if (unnamed.length > 0) console.log(`${entry.npm}: named from camelCase (no registry anchor): ${unnamed.splice(0).join(', ')}`);
    const file = join(outDir, `${entry.provider}.json`);
    writeFileSync(file, `${JSON.stringify(schema)}\n`);
    console.log(`${file}: ${Object.keys(schema.resource).length} resources, ${Object.keys(schema.data).length} data sources, ${statSync(file).size} bytes`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function extract(root, entry) {
  const types = JSON.parse(readFileSync(join(root, '.jsii'), 'utf8')).types;
  const computed = computedAttributes(join(root, 'lib'));
  const structNode = (fqn, seen) => {
    const struct = types[fqn];
    const node = { r: [], a: [], b: {}, c: {} };
    if (!struct?.properties || seen.has(fqn)) return node;
    const inner = new Set(seen).add(fqn);
    for (const property of struct.properties) {
      let name = terraformName(property);
      if (!name) {
        // A few doc comments are mangled (a code sample in them); the camelCase name converted back is then the only source.
        name = property.name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
        unnamed.push(`${fqn}.${property.name} -> ${name}`);
      }
      const nested = structOf(property.type, types);
      if (nested) node.b[name] = structNode(nested, inner);
      // A required block is listed in r too: it must be present, as a required argument must.
      if (!nested || !property.optional) (property.optional ? node.a : node.r).push(name);
    }
    // Computed attributes of this struct's objects (the OutputReference class of a block).
    addComputed(node, computed.get(`${struct.name}OutputReference`), computed, inner);
    return compact(node);
  };
  const resource = {};
  const data = {};
  for (const type of Object.values(types)) {
    if (type.kind !== 'class' || (type.base !== 'cdktf.TerraformResource' && type.base !== 'cdktf.TerraformDataSource')) continue;
    const link = /\{@link \S+\/docs\/(resources|data-sources)\/\S+ ([a-z0-9_]+)\}/.exec(type.docs?.summary ?? '');
    if (!link) continue;
    const config = type.initializer?.parameters?.[2]?.type?.fqn;
    const node = structNode(config, new Set());
    addComputed(node, computed.get(type.name), computed, new Set([config]));
    (link[1] === 'resources' ? resource : data)[link[2]] = compact(node);
  }
  return { provider: `hashicorp/${entry.provider}`, version: entry.version, from: entry.npm, resource: sorted(resource), data: sorted(data) };
}

function addComputed(node, attributes, computed, seen) {
  for (const [name, struct] of attributes ?? []) {
    if (node.r?.includes(name) || node.a?.includes(name) || node.b?.[name]) continue;
    node.c ??= {};
    const holder = struct ? computed.get(`${struct}OutputReference`) : undefined;
    if (holder && !seen.has(struct)) {
      const inner = { c: {} };
      addComputed(inner, holder, computed, new Set(seen).add(struct));
      node.c[name] = compact(inner);
    } else node.c[name] = 0;
  }
}

/** class name -> [computed attribute, struct of its objects or undefined], read from the generated getters. */
function computedAttributes(libDir) {
  const byClass = new Map();
  for (const file of jsFiles(libDir)) {
    const text = readFileSync(file, 'utf8');
    const classes = [...text.matchAll(/^class (\w+) extends /gm)];
    classes.forEach((match, index) => {
      const body = text.slice(match.index, classes[index + 1]?.index ?? text.length);
      const structs = new Map();
      for (const made of body.matchAll(/this\._\w+ = new (?:[\w$]+\.)?(\w+?)(?:OutputReference|List|Map)\(this, "(\w+)"/g)) structs.set(made[2], made[1]);
      const attributes = [];
      for (const comment of body.matchAll(/\/\/ (\w+) - computed: true, optional: false, required: false/g)) attributes.push([comment[1], structs.get(comment[1])]);
      if (attributes.length > 0) byClass.set(match[1], attributes);
    });
  }
  return byClass;
}

function* jsFiles(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* jsFiles(path);
    else if (entry.name.endsWith('.js')) yield path;
  }
}

/** The Terraform name of a struct property: the anchor of its registry link. */
function terraformName(property) {
  // The "Docs at Terraform Registry" line sits in the summary, the remarks or a custom tag.
  const docs = `${property.docs?.summary ?? ''} ${property.docs?.remarks ?? ''} ${Object.values(property.docs?.custom ?? {}).join(' ')}`;
  return /registry\.terraform\.io\/\S+\/docs\/\S+?#([a-z0-9_]+)\s/.exec(docs)?.[1];
}

/** The struct (nested block) a property's type holds, directly or in a list, set or union. */
function structOf(type, types) {
  if (!type) return undefined;
  if (type.fqn) return types[type.fqn]?.datatype ? type.fqn : undefined;
  if (type.collection) return structOf(type.collection.elementtype, types);
  if (type.union) for (const member of type.union.types) { const found = structOf(member, types); if (found) return found; }
  return undefined;
}

function compact(node) {
  const out = {};
  if (node.r?.length) out.r = node.r.sort();
  if (node.a?.length) out.a = node.a.sort();
  if (node.b && Object.keys(node.b).length) out.b = sorted(node.b);
  if (node.c && Object.keys(node.c).length) out.c = sorted(node.c);
  return out;
}

function sorted(record) {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
