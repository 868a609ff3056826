// Rules for free text and for the project name, shared by flags, config files and prompts.

import * as z from 'zod/mini';

/**
 * Characters rejected in free text: C0/C1 control characters (newline and tab
 * included), bidirectional overrides and isolates (Trojan-source style
 * reordering), zero-width/BOM marks and Unicode line separators. Everything
 * else, quotes, `#`, `:`, braces, `${{ }}`, backslashes, shell metacharacters
 * and non-ASCII letters, is accepted and escaped per output format.
 */
export const forbiddenTextCharacters = /[\p{Cc}\u200B-\u200F\u2028\u2029\u202A-\u202E\u2066-\u2069\uFEFF]/u;

export function freeText(label: string, maxLength: number) {
  return z.string({ error: `${label} must be a string` }).check(
    z.minLength(1, { error: `${label} must not be empty` }),
    z.maxLength(maxLength, { error: `${label} must be at most ${maxLength} characters` }),
    z.refine((value) => !forbiddenTextCharacters.test(value), {
      error:
        `${label} must be a single line without control characters, ` +
        'bidirectional-override or zero-width characters',
    }),
    z.refine((value) => value.trim() === value, {
      error: `${label} must not start or end with whitespace`,
    }),
  );
}

/** Names that would shadow Python keywords, the standard library or the service's own dependencies. */
const reservedPackageNames = new Set([
  // keywords and constants that fit the name rule
  'and', 'as', 'assert', 'async', 'await', 'break', 'class', 'continue', 'def', 'del', 'elif', 'else',
  'except', 'false', 'finally', 'for', 'from', 'global', 'if', 'import', 'in', 'is', 'lambda', 'none',
  'nonlocal', 'not', 'or', 'pass', 'raise', 'return', 'true', 'try', 'while', 'with', 'yield',
  // standard-library modules a service is likely to import
  'abc', 'array', 'ast', 'asyncio', 'base64', 'bisect', 'builtins', 'calendar', 'cmath', 'code', 'codecs',
  'collections', 'contextlib', 'copy', 'csv', 'dataclasses', 'datetime', 'decimal', 'difflib', 'email',
  'enum', 'errno', 'functools', 'gc', 'glob', 'gzip', 'hashlib', 'heapq', 'hmac', 'html', 'http', 'inspect',
  'io', 'ipaddress', 'itertools', 'json', 'logging', 'lzma', 'math', 'mmap', 'numbers', 'operator', 'os',
  'pathlib', 'pickle', 'platform', 'pprint', 'queue', 'random', 're', 'secrets', 'select', 'shlex', 'shutil',
  'signal', 'site', 'socket', 'sqlite3', 'ssl', 'stat', 'statistics', 'string', 'struct', 'subprocess', 'sys',
  'tempfile', 'test', 'tests', 'textwrap', 'threading', 'time', 'token', 'tokenize', 'types', 'typing',
  'unittest', 'urllib', 'uuid', 'warnings', 'weakref', 'xml', 'zipfile', 'zlib',
  // the generated service's own dependencies and tools
  'fastapi', 'uvicorn', 'pydantic', 'pydantic-settings', 'starlette', 'sklearn', 'scikit-learn', 'numpy',
  'pandas', 'scipy', 'mlflow', 'prometheus-client', 'pytest', 'httpx', 'ruff', 'pyright', 'dvc',
]);

export const nameRuleText =
  '3 to 40 characters: lowercase letters, digits and single hyphens, starting with a letter ' +
  'and not ending with a hyphen (valid as a Kubernetes name, a Docker image name and a Terraform prefix)';

export const projectName = z.string({ error: 'name must be a string' }).check(
  z.regex(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/, { error: `name must be ${nameRuleText}` }),
  z.minLength(3, { error: `name must be ${nameRuleText}` }),
  z.maxLength(40, { error: `name must be ${nameRuleText}` }),
  z.refine((value) => !reservedPackageNames.has(value) && !reservedPackageNames.has(value.replace(/-/g, '_')), {
    error: 'name must not be a Python keyword, a standard-library module or a dependency of the service',
  }),
);
