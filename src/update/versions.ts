// Release order: numeric major.minor.patch; a pre-release sorts before its release.

export function compareVersions(a: string, b: string): number {
  const parse = (version: string) => {
    const [core = '', pre] = version.split('-', 2);
    return { parts: core.split('.').map((part) => Number.parseInt(part, 10) || 0), pre };
  };
  const [x, y] = [parse(a), parse(b)];
  for (let index = 0; index < Math.max(x.parts.length, y.parts.length); index++) {
    const diff = (x.parts[index] ?? 0) - (y.parts[index] ?? 0);
    if (diff !== 0) return Math.sign(diff);
  }
  if (x.pre === y.pre) return 0;
  if (x.pre === undefined) return 1;
  if (y.pre === undefined) return -1;
  return x.pre < y.pre ? -1 : 1;
}
