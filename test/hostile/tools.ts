// External tools the hostile-input, escaping and property tests parse output
// with. Each finder returns undefined when the tool is missing so a test can
// skip with "skipped: <tool> not available" instead of passing silently.

import { execaSync, execa } from 'execa';
import { existsSync, readdirSync } from 'node:fs';

function works(file: string, args: string[]): boolean {
  try {
    return execaSync(file, args, { reject: false, timeout: 20_000 }).exitCode === 0;
  } catch {
    return false;
  }
}

let python: string | null | undefined;
/** A Python 3.11+ interpreter (pyenv's, else the system one), for ast/py_compile checks. */
export function findPython(): string | undefined {
  if (python === undefined) {
    const pyenv = '/root/.pyenv/versions';
    const pyenvPythons = existsSync(pyenv)
      ? readdirSync(pyenv).filter((v) => /^3\.1[1-9]/.test(v)).sort().reverse().map((v) => `${pyenv}/${v}/bin/python`)
      : [];
    const candidates = [process.env.MLFORGE_TEST_PYTHON, ...pyenvPythons, 'python3', '/usr/bin/python3'].filter(
      (candidate): candidate is string => Boolean(candidate),
    );
    python = candidates.find((candidate) => works(candidate, ['-c', 'import ast, sys; assert sys.version_info >= (3, 11)'])) ?? null;
  }
  return python ?? undefined;
}

let pyyaml: string | null | undefined;
/** A Python with PyYAML (the YAML 1.1 parser yamllint uses), to read YAML the way 1.1 consumers do. */
export function findPyYaml(): string | undefined {
  if (pyyaml === undefined) {
    pyyaml = ['/usr/bin/python3', findPython()].find((p) => p !== undefined && works(p, ['-c', 'import yaml'])) ?? null;
  }
  return pyyaml ?? undefined;
}

export const hasCommand = (name: string, args = ['--version']) => works(name, args);

export function skipNote(tool: string, available: boolean): boolean {
  if (!available) console.log(`skipped: ${tool} not available`);
  return !available;
}

/** Runs a Python script that reads JSON on stdin and prints JSON on stdout. */
export async function pythonJson<T>(interpreter: string, script: string, input: unknown): Promise<T> {
  const result = await execa(interpreter, ['-c', script], { input: JSON.stringify(input), timeout: 120_000 });
  return JSON.parse(result.stdout) as T;
}

export interface PythonFileReport {
  /** `SyntaxError: message (line N)` when the file does not compile. */
  error?: string;
  /** Every str constant in the module (docstrings included). */
  strings: string[];
}

const compileScript = `
import ast, json, sys
out = {}
for path, text in json.load(sys.stdin).items():
    try:
        tree = ast.parse(text, filename=path)
        compile(tree, path, "exec")
        out[path] = {"strings": [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)]}
    except SyntaxError as error:
        out[path] = {"error": f"SyntaxError: {error.msg} (line {error.lineno})", "strings": []}
print(json.dumps(out))
`;

/** Compiles Python sources with a real interpreter and returns their string constants. */
export function compilePython(interpreter: string, files: Record<string, string>): Promise<Record<string, PythonFileReport>> {
  return pythonJson(interpreter, compileScript, files);
}
