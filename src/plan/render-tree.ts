// Text tree of output paths, used by dry runs and the generated README.

/** An indented tree of paths, directories first, for dry runs and summaries. */
export function renderTree(paths: readonly string[]): string {
  type Node = Map<string, Node>;
  const root: Node = new Map();
  for (const path of paths) {
    let node = root;
    for (const part of path.split('/')) {
      if (!node.has(part)) node.set(part, new Map());
      node = node.get(part)!;
    }
  }
  const lines: string[] = [];
  const walk = (node: Node, prefix: string) => {
    const entries = [...node.entries()].sort(([a, an], [b, bn]) =>
      an.size > 0 === bn.size > 0 ? (a < b ? -1 : 1) : an.size > 0 ? -1 : 1,
    );
    entries.forEach(([name, child], index) => {
      const last = index === entries.length - 1;
      lines.push(`${prefix}${last ? '└── ' : '├── '}${name}${child.size > 0 ? '/' : ''}`);
      walk(child, prefix + (last ? '    ' : '│   '));
    });
  };
  walk(root, '');
  return lines.join('\n');
}
