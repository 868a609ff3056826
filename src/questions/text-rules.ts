// Rules for free text and for the project name, shared by flags, config files and prompts.

import * as z from 'zod/mini';

/**
 * Characters rejected in free text: every control character (newline and tab
 * included), every invisible format or default-ignorable character (\p{Cf} and
 * Default_Ignorable_Code_Point: zero-width spaces and joiners, bidirectional
 * marks, overrides and isolates, soft hyphen, word joiner, BOM, tag
 * characters, variation selectors, Hangul fillers), noncharacters, lone
 * surrogates, and the Unicode line and paragraph separators. Exceptions where
 * scripts need them: ZWJ (U+200D) and ZWNJ (U+200C) between two letters of a
 * script that uses joiners (Arabic, Persian, Syriac, the Indic scripts, ...)
 * or ZWJ between two emoji, and VS15/VS16 (U+FE0E/U+FE0F) right after an emoji.
 * Everything else, quotes, `#`, `:`, braces, `${{ }}`, backslashes, shell
 * metacharacters and non-ASCII letters, is accepted and escaped per output format.
 */
export const forbiddenTextCharacters = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}\p{Default_Ignorable_Code_Point}\p{Noncharacter_Code_Point}]/u;

const ZWNJ = 0x200c;
const ZWJ = 0x200d;
const letterOrMark = /^[\p{L}\p{M}]$/u;
const emoji = /^[\p{Extended_Pictographic}\p{Emoji_Modifier}]$/u;

/** Pure: the first rejected character of `value` (with its position), or undefined. */
export function firstForbiddenCharacter(value: string): { codePoint: number; index: number } | undefined {
  const chars = Array.from(value);
  for (const [index, char] of chars.entries()) {
    if (!forbiddenTextCharacters.test(char)) continue;
    const codePoint = char.codePointAt(0)!;
    const before = chars[index - 1] ?? '';
    const after = chars[index + 1] ?? '';
    if ((codePoint === ZWJ || codePoint === ZWNJ) && joinsLetters(before, after)) continue;
    if (codePoint === ZWJ && (emoji.test(before) || before === '\uFE0F') && emoji.test(after)) continue;
    if ((codePoint === 0xfe0e || codePoint === 0xfe0f) && emoji.test(before)) continue;
    return { codePoint, index };
  }
  return undefined;
}

function joinsLetters(before: string, after: string): boolean {
  if (!letterOrMark.test(before) || !letterOrMark.test(after)) return false;
  // Both neighbours in one script that uses joiners (a mark before the joiner belongs to the letter's script).
  for (const script of ['Arabic', 'Syriac', 'Nko', 'Mongolian', 'Devanagari', 'Bengali', 'Gurmukhi', 'Gujarati', 'Oriya', 'Tamil', 'Telugu', 'Kannada', 'Malayalam', 'Sinhala', 'Khmer', 'Myanmar']) {
    const inScript = new RegExp(`^\\p{Script_Extensions=${script}}$`, 'u');
    if (inScript.test(before) && inScript.test(after)) return true;
  }
  return false;
}

function describeForbidden(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const found = firstForbiddenCharacter(value);
  if (!found) return undefined;
  return `U+${found.codePoint.toString(16).toUpperCase().padStart(4, '0')} at character ${found.index + 1}`;
}

export function freeText(label: string, maxLength: number) {
  return z.string({ error: `${label} must be a string` }).check(
    z.minLength(1, { error: `${label} must not be empty` }),
    z.maxLength(maxLength, { error: `${label} must be at most ${maxLength} characters` }),
    z.refine((value) => firstForbiddenCharacter(value) === undefined, {
      error: (issue) =>
        `${label} must be a single line without control characters or invisible characters ` +
        `(found ${describeForbidden(issue.input) ?? 'one'}; rejected: control, format and default-ignorable characters, ` +
        'bidirectional and zero-width marks, tag characters, noncharacters, lone surrogates, line separators)',
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
  z.refine((value) => reservedByPlatform(value) === undefined, {
    error: (issue) => `name ${reservedByPlatform(String(issue.input)) ?? 'is reserved'}`,
  }),
);

/** Azure: whole words reserved in resource names (a name equal to one, or with one as a hyphen-separated part). */
const azureReservedWords = new Set([
  'access', 'azure', 'bing', 'bizspark', 'biztalk', 'cortana', 'directx', 'dotnet', 'dynamics', 'excel', 'exchange',
  'forefront', 'groove', 'hololens', 'hyperv', 'kinect', 'lync', 'msdn', 'o365', 'office', 'office365', 'onedrive',
  'onenote', 'outlook', 'powerpoint', 'sharepoint', 'skype', 'visio', 'visualstudio', 'xbox',
]);

/**
 * Pure: why a name that passes the character rule would still break a
 * platform the generated project deploys to, or undefined. The name becomes
 * the Kubernetes namespace and the prefix of every cloud resource.
 */
export function reservedByPlatform(name: string): string | undefined {
  if (name === 'default' || name.startsWith('kube-') || name === 'kube') {
    return 'must not be a Kubernetes system namespace (default, kube-*): the project gets its own namespace of that name';
  }
  if (name.startsWith('goog') || /g[o0]{2}gle/.test(name)) {
    return 'must not start with "goog" or contain "google" (or a look-alike such as "g00gle"): Google Cloud Storage refuses such bucket names';
  }
  for (const prefix of ['sthree-', 'amzn-s3-demo-', 'xn--']) {
    if (name.startsWith(prefix)) return `must not start with "${prefix}": Amazon S3 reserves it in bucket names`;
  }
  for (const suffix of ['-s3alias', '--ol-s3', '--x-s3', '--table-s3']) {
    if (name.endsWith(suffix)) return `must not end with "${suffix}": Amazon S3 reserves it in bucket names`;
  }
  if (/microsoft|windows/.test(name)) return 'must not contain "microsoft" or "windows": Azure refuses resource names with these words';
  if (name.startsWith('login')) return 'must not start with "login": Azure refuses resource names that do';
  const word = name.split('-').find((part) => azureReservedWords.has(part));
  if (word) return `must not contain the word "${word}": Azure reserves it in resource names`;
  return undefined;
}
