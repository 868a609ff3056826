// The compact provider schemas doctor checks Terraform against, extracted from
// the prebuilt CDKTF bindings by scripts/extract-provider-schemas.mjs. They sit
// beside this file in src/ and gzipped in dist/schemas/terraform/ in the build,
// and are read only when a repository uses that provider (each is ~0.7 MB).

import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

/** One resource, data source or nested block. */
export interface SchemaNode {
  /** Required arguments and required blocks. */
  r?: string[];
  /** Optional arguments. */
  a?: string[];
  /** Nested blocks. */
  b?: Record<string, SchemaNode>;
  /** Computed-only attributes: a node when it is a list of objects with known attributes, else 0. */
  c?: Record<string, SchemaNode | 0>;
}

export interface ProviderSchema {
  provider: string;
  version: string;
  from: string;
  resource: Record<string, SchemaNode>;
  data: Record<string, SchemaNode>;
}

/** Providers with a schema, by the prefix of their type names (`google_container_cluster`). */
export const schemaProviders = ['aws', 'azurerm', 'google', 'random'] as const;

const loaded = new Map<string, ProviderSchema>();

/** The schema of a provider of `schemaProviders`. */
export function providerSchema(provider: string): ProviderSchema {
  let schema = loaded.get(provider);
  if (!schema) {
    const file = schemaFile(provider);
    const bytes = readFileSync(file);
    schema = JSON.parse((file.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8')) as ProviderSchema;
    loaded.set(provider, schema);
  }
  return schema;
}

function schemaFile(provider: string): string {
  // Source layout (src/doctor/schemas/terraform/) or the build's (dist/schemas/terraform/*.gz, next to main.cjs).
  const candidates = [new URL(`./terraform/${provider}.json`, import.meta.url), new URL(`./schemas/terraform/${provider}.json.gz`, import.meta.url)];
  const found = candidates.map((url) => fileURLToPath(url)).find((path) => existsSync(path));
  if (!found) throw new Error(`the ${provider} provider schema is missing from this mlforge installation (looked in ${candidates.map((url) => fileURLToPath(url)).join(', ')})`);
  return found;
}

/** Every attribute a reference may name on an object of this node. */
export function attributeNames(node: SchemaNode): Set<string> {
  return new Set([...(node.r ?? []), ...(node.a ?? []), ...Object.keys(node.b ?? {}), ...Object.keys(node.c ?? {})]);
}

/** The node of a nested attribute, when its objects' attributes are known. */
export function nestedNode(node: SchemaNode, name: string): SchemaNode | undefined {
  const nested = node.b?.[name] ?? node.c?.[name];
  return nested && Object.keys(nested).length > 0 ? nested : undefined;
}
