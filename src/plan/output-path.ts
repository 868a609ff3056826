// Template paths mirror the output tree. Two substitutions only:
// a `__package__` segment becomes the Python package name, and names that npm
// would drop from a published package are stored with a leading underscore.

const storedNames: Record<string, string> = {
  _gitignore: '.gitignore',
  _npmignore: '.npmignore',
};

export function outputPath(templatePath: string, packageName: string): string {
  return templatePath
    .split('/')
    .map((segment) => (segment === '__package__' ? packageName : (storedNames[segment] ?? segment)))
    .join('/');
}
