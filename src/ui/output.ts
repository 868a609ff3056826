// Human output: colour only on a terminal and never with NO_COLOR; progress as
// a spinner on a terminal, plain lines otherwise; silent with --quiet or --json
// (JSON results go to stdout, everything for people to stderr or stdout).

import { Chalk, type ChalkInstance } from 'chalk';
import yoctoSpinner from 'yocto-spinner';
import type { CommandContext } from './context.js';

export { renderTree } from '../plan/render-tree.js';

export interface Output {
  color: ChalkInstance;
  /** A line for people on stdout (suppressed by --quiet and --json). */
  line(text?: string): void;
  warn(text: string): void;
  /** Starts a progress indicator; returns a function that ends it with a final line (none when omitted). */
  progress(text: string): (final?: string, ok?: boolean) => void;
}

export function colorEnabled(ctx: Pick<CommandContext, 'env'>, stream: { isTTY?: boolean }): boolean {
  if (ctx.env.NO_COLOR !== undefined && ctx.env.NO_COLOR !== '') return false;
  if (ctx.env.FORCE_COLOR !== undefined && ctx.env.FORCE_COLOR !== '0') return true;
  return stream.isTTY === true && ctx.env.TERM !== 'dumb';
}

export function createOutput(ctx: CommandContext, options: { quiet: boolean; json: boolean }): Output {
  const silent = options.quiet || options.json;
  const color = new Chalk({ level: colorEnabled(ctx, ctx.stdout) ? 1 : 0 });
  const errColor = new Chalk({ level: colorEnabled(ctx, ctx.stderr) ? 1 : 0 });
  const write = (text: string) => ctx.stdout.write(`${text}\n`);
  return {
    color,
    line(text = '') {
      if (!silent) write(text);
    },
    warn(text) {
      if (!options.json) ctx.stderr.write(`${errColor.yellow('warning:')} ${text}\n`);
    },
    progress(text) {
      if (silent) return () => {};
      if (ctx.stderr.isTTY && colorEnabled(ctx, ctx.stderr)) {
        const running = yoctoSpinner({ text, stream: ctx.stderr as NodeJS.WriteStream }).start();
        return (final, ok = true) => {
          if (final === undefined) running.stop();
          else if (ok) running.success(final);
          else running.error(final);
        };
      }
      ctx.stderr.write(`${text} ...\n`);
      return (final, ok = true) => {
        if (final !== undefined) write(`${ok ? color.green('✔') : color.red('✖')} ${final}`);
      };
    },
  };
}
