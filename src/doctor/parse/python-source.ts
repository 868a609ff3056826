// Just enough Python reading for cross-file checks: the service's HTTP routes
// and the defaults of its settings. Regular expressions over source lines,
// tolerant of user edits (constants, routers with prefixes, mounts).

import type { RepoView } from '../types.js';
import { oncePerRepo } from './per-repo.js';

export interface Located<T> {
  value: T;
  file: string;
  line: number;
}

export interface Route {
  path: string;
  /** A mount (`app.mount`) serves every path under it. */
  prefix: boolean;
  file: string;
  line: number;
}

/** `src/<package>/` of the re-derived plan, else the directory holding settings.py. */
export async function packageDir(repo: RepoView): Promise<string> {
  const fromAnswers = `src/${(await repo.expected()).context.packageName}/`;
  if (repo.files.some((file) => file.startsWith(fromAnswers))) return fromAnswers;
  const settings = repo.files.find((file) => /^src\/[A-Za-z_][A-Za-z0-9_]*\/settings\.py$/.test(file));
  return settings ? settings.slice(0, -'settings.py'.length) : fromAnswers;
}

const stringLiteral = String.raw`(?:[rbuf]{0,2})(?:"([^"\n]*)"|'([^'\n]*)')`;
const constantPattern = new RegExp(String.raw`^([A-Za-z_][A-Za-z0-9_]*)\s*(?::[^=\n]+)?=\s*${stringLiteral}\s*(?:#.*)?$`);
const routePattern = new RegExp(
  String.raw`\b([A-Za-z_][A-Za-z0-9_]*)\.(get|post|put|patch|delete|head|options|api_route|websocket|add_api_route|add_route|mount|route)\(\s*(?:path\s*=\s*)?(?:${stringLiteral}|([A-Za-z_][A-Za-z0-9_.]*))`,
);
const routerPattern = new RegExp(String.raw`^([A-Za-z_][A-Za-z0-9_]*)\s*=\s*APIRouter\((?:[^)]*\bprefix\s*=\s*${stringLiteral})?`);

/** Every route path the Python sources declare. */
export function pythonRoutes(repo: RepoView): Promise<Route[]> {
  return oncePerRepo(repo, 'python-routes', () => readRoutes(repo));
}

async function readRoutes(repo: RepoView): Promise<Route[]> {
  const dir = await packageDir(repo);
  const sources = repo.files.filter((file) => file.startsWith(dir) && file.endsWith('.py'));
  const texts = await Promise.all(sources.map(async (file) => ({ file, lines: (await repo.read(file)).split('\n') })));
  const constants = new Map<string, string>();
  for (const { lines } of texts) {
    for (const line of lines) {
      const match = constantPattern.exec(line);
      if (match) constants.set(match[1]!, (match[2] ?? match[3])!);
    }
  }
  const routes: Route[] = [];
  for (const { file, lines } of texts) {
    const prefixes = new Map<string, string>();
    for (const line of lines) {
      const router = routerPattern.exec(line.trim());
      if (router) prefixes.set(router[1]!, router[2] ?? router[3] ?? '');
    }
    // Matched over the whole text, so a decorator split over lines (`@app.get(\n    "/ready",`) counts too.
    const text = lines.join('\n');
    const lineOf = (offset: number) => text.slice(0, offset).split('\n').length;
    // prometheus-fastapi-instrumentator: Instrumentator().expose(app, endpoint="/metrics").
    for (const exposed of text.matchAll(/\bexpose\([^)]*\bendpoint\s*=\s*["']([^"']+)["']/g)) {
      routes.push({ path: exposed[1]!, prefix: false, file, line: lineOf(exposed.index) });
    }
    for (const match of text.matchAll(new RegExp(routePattern.source, 'g'))) {
      const [, owner, method] = match;
      const literal = match[3] ?? match[4];
      const name = match[5];
      const path = literal ?? (name ? constants.get(name.split('.').pop()!) : undefined);
      if (path === undefined || !path.startsWith('/')) continue;
      routes.push({ path: joinPath(prefixes.get(owner!) ?? '', path), prefix: method === 'mount', file, line: lineOf(match.index) });
    }
  }
  return routes;
}

function joinPath(prefix: string, path: string): string {
  const joined = `${prefix.replace(/\/$/, '')}${path}`;
  return joined === '' ? '/' : joined;
}

/** Whether `path` (without query string) is served by one of `routes`. */
export function routeServes(routes: readonly Route[], path: string): boolean {
  const clean = path.split('?')[0]!.replace(/\/$/, '') || '/';
  return routes.some((route) => {
    const declared = route.path.replace(/\/$/, '') || '/';
    if (route.prefix) return clean === declared || clean.startsWith(`${declared}/`);
    if (declared === clean) return true;
    // Path parameters: /items/{id} serves /items/3.
    const pattern = new RegExp(`^${declared.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{[^}]+\\?\}/g, '[^/]+')}$`);
    return pattern.test(clean);
  });
}

const fieldPattern = /^\s+([a-z_][a-z0-9_]*)\s*:\s*[^=\n]+?=\s*(.+?)\s*(?:#.*)?$/;

/** Default values of the fields of the settings module (`name: type = default`). */
export function settingsDefaults(repo: RepoView): Promise<Map<string, Located<string | number | boolean>>> {
  return oncePerRepo(repo, 'settings-defaults', () => readSettingsDefaults(repo));
}

async function readSettingsDefaults(repo: RepoView): Promise<Map<string, Located<string | number | boolean>>> {
  const file = `${await packageDir(repo)}settings.py`;
  const defaults = new Map<string, Located<string | number | boolean>>();
  if (!repo.exists(file)) return defaults;
  const lines = (await repo.read(file)).split('\n');
  lines.forEach((line, index) => {
    const match = fieldPattern.exec(line);
    if (!match) return;
    const value = pythonLiteral(match[2]!);
    if (value !== undefined) defaults.set(match[1]!, { value, file, line: index + 1 });
  });
  return defaults;
}

/** A literal default, also inside `Field(default=...)` / `Field(...)`. */
function pythonLiteral(expression: string): string | number | boolean | undefined {
  const field = /^Field\(\s*(?:default\s*=\s*)?([^,)]+)/.exec(expression);
  const text = (field ? field[1]! : expression).trim();
  const string = /^(?:"([^"]*)"|'([^']*)')$/.exec(text);
  if (string) return string[1] ?? string[2]!;
  if (/^-?\d+$/.test(text)) return Number(text);
  if (text === 'True' || text === 'False') return text === 'True';
  return undefined;
}
