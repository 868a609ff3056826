// Build time: a template's Handlebars syntax tree turned into plain JavaScript
// (string concatenation, `if` statements, calls into template-runtime.ts), so
// that `mlforge new` needs neither the Handlebars compiler nor its runtime.
// Covers the constructs mlforge's templates use, with Handlebars' semantics
// (test/unit/renderer.test.ts runs both on the same cases, and
// test/unit/template-bundle.test.ts compares every row of the option matrix);
// anything else is refused at build time, naming the template and the line.

import Handlebars from 'handlebars';
import { helperNames, protectCiExpressions } from './helpers.js';

type Node = hbs.AST.Statement | hbs.AST.Expression;

/** JavaScript source of `(c) => string` for a template, given the runtime as `rt` and the partials as `partials`. */
export function compileTemplateToJs(templatePath: string, source: string, partialNames: readonly string[]): string {
  const ast = Handlebars.parse(protectCiExpressions(source));
  return `(c) => {\nlet b = "";\n${new Emitter(templatePath, partialNames).program(ast)}return b;\n}`;
}

class Emitter {
  constructor(
    private readonly templatePath: string,
    private readonly partialNames: readonly string[],
  ) {}

  program(program: hbs.AST.Program): string {
    return program.body.map((statement) => this.statement(statement)).join('');
  }

  private statement(node: hbs.AST.Statement): string {
    switch (node.type) {
      case 'ContentStatement': {
        const value = (node as hbs.AST.ContentStatement).value;
        return value ? `b += ${JSON.stringify(value)};\n` : '';
      }
      case 'CommentStatement':
        return '';
      case 'MustacheStatement':
        return `b = b + rt.out(${this.mustache(node as hbs.AST.MustacheStatement)});\n`;
      case 'BlockStatement':
        return this.block(node as hbs.AST.BlockStatement);
      case 'PartialStatement':
        return this.partial(node as hbs.AST.PartialStatement);
      default:
        return this.refuse(node, node.type);
    }
  }

  private mustache(node: hbs.AST.MustacheStatement): string {
    if (node.path.type !== 'PathExpression') return this.refuse(node, 'a literal mustache');
    const path = node.path as hbs.AST.PathExpression;
    if (node.params.length > 0 || node.hash || helperNames.includes(path.original)) return this.helperCall(node);
    if (['if', 'unless', 'each', 'with'].includes(path.original)) return this.refuse(node, `{{${path.original}}} outside a block`);
    return `rt.lambda(${this.path(path, node, true)}, c)`;
  }

  private helperCall(node: hbs.AST.MustacheStatement | hbs.AST.SubExpression): string {
    const name = (node.path as hbs.AST.PathExpression).original;
    if (!helperNames.includes(name)) return this.refuse(node, `the unknown helper "${name}"`);
    if (node.hash) return this.refuse(node, 'hash arguments');
    return `rt.helpers[${JSON.stringify(name)}](${[...node.params.map((param) => this.value(param)), 'rt.helperOptions'].join(', ')})`;
  }

  /** A helper argument: looked up without strict mode, as Handlebars does for parameters. */
  private value(node: hbs.AST.Expression): string {
    switch (node.type) {
      case 'PathExpression':
        return this.path(node as hbs.AST.PathExpression, node, false);
      case 'SubExpression':
        return this.helperCall(node as hbs.AST.SubExpression);
      case 'StringLiteral':
        return JSON.stringify((node as hbs.AST.StringLiteral).value);
      case 'NumberLiteral':
        return String((node as hbs.AST.NumberLiteral).value);
      case 'BooleanLiteral':
        return String((node as hbs.AST.BooleanLiteral).value);
      case 'UndefinedLiteral':
        return 'undefined';
      case 'NullLiteral':
        return 'null';
      default:
        return this.refuse(node, node.type);
    }
  }

  /** `a.b.c` on the current context; with `strict`, the last part must exist (printed values). */
  private path(path: hbs.AST.PathExpression, at: Node, strict: boolean): string {
    if (path.data) return this.refuse(at, `the data variable @${path.parts.join('.')}`);
    if (path.depth > 0) return this.refuse(at, 'parent context paths (../)');
    if (path.parts.length === 0) return 'c';
    const parts = path.parts.map((part) => JSON.stringify(part));
    const last = parts.pop()!;
    const parent = parts.reduce((object, part) => `rt.lookup(${object}, ${part})`, 'c');
    const { line, column } = path.loc.start;
    return strict ? `rt.strict(${parent}, ${last}, ${line}, ${column})` : `rt.lookup(${parent}, ${last})`;
  }

  private block(node: hbs.AST.BlockStatement): string {
    const name = node.path.type === 'PathExpression' ? (node.path as hbs.AST.PathExpression).original : '';
    if (!['if', 'unless', 'each'].includes(name)) return this.refuse(node, `the block {{#${name}}}`);
    if (node.params.length !== 1 || node.hash) return this.refuse(node, `{{#${name}}} without exactly one argument`);
    if (node.program.blockParams?.length) return this.refuse(node, 'block parameters');
    const value = this.value(node.params[0]!);
    const fn = this.program(node.program);
    const inverse = node.inverse ? this.program(node.inverse) : '';
    if (name === 'each') {
      const body = (code: string) => `(c) => {\nlet b = "";\n${code}return b;\n}`;
      return `b = b + rt.each(${value}, c, ${body(fn)}, ${body(inverse)});\n`;
    }
    const [then, otherwise] = name === 'if' ? [fn, inverse] : [inverse, fn];
    return `if (rt.truthy(${value}, c)) {\n${then}}${otherwise ? ` else {\n${otherwise}}` : ''}\n`;
  }

  private partial(node: hbs.AST.PartialStatement): string {
    const name = node.name.type === 'PathExpression' ? (node.name as hbs.AST.PathExpression).original : undefined;
    if (name === undefined || node.params.length > 0 || node.hash) return this.refuse(node, 'dynamic partials or partial arguments');
    if (!this.partialNames.includes(name)) return this.refuse(node, `the missing partial "${name}"`);
    return `b = b + rt.indent(partials[${JSON.stringify(name)}](c), ${JSON.stringify(node.indent ?? '')});\n`;
  }

  private refuse(node: Node, what: string): never {
    const { line, column } = node.loc?.start ?? { line: 0, column: 0 };
    throw new Error(`template ${this.templatePath}:${line}:${column}: ${what} is not supported by the template compiler`);
  }
}
