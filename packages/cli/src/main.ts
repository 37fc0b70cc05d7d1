// The one `mltel` command of the project: a subcommand dispatcher. Each subcommand lives in its
// own folder and returns an exit code; nothing here calls process.exit, so tests run it in-process.
import { MLTEL_VERSION } from '@mltel/kit';
import { drift } from './drift/index.js';
import { gpu } from './gpu/index.js';
import { init } from './init/index.js';
import { prices } from './prices/index.js';
import type { CliIo, Command } from './io.js';
import { printable } from './io.js';

/**
 * The exit code of an error no command expected (a bug): 70, sysexits' EX_SOFTWARE. Not 1, which
 * `mltel drift compare` keeps for "drift found" and `mltel gpu` for "nvidia-smi failed".
 */
export const INTERNAL_ERROR_EXIT = 70;

const COMMANDS: Record<string, { run: Command; summary: string }> = {
  drift: { run: drift, summary: 'build a reference profile from a CSV/JSON-lines file, or score a file against one' },
  gpu: { run: gpu, summary: 'show what the GPU plugin sees on this host (nvidia-smi), or why it sees nothing' },
  init: { run: init, summary: 'write the Collector, Prometheus, Alertmanager and Grafana files (or --check a copy)' },
  prices: {
    run: prices,
    summary: 'list the prices the cost meter uses, look up a model, or write a price file from LiteLLM',
  },
};

/** The top-level help: the commands and their one-line summaries. */
export function usage(): string {
  const lines = ['Usage: mltel <command> [options]', '', 'Commands:'];
  for (const [name, { summary }] of Object.entries(COMMANDS)) lines.push(`  ${name.padEnd(8)} ${summary}`);
  lines.push(
    '',
    'Run `mltel <command> --help` for the options and exit codes of a command.',
    `Exit 2 is a usage error for every command; ${INTERNAL_ERROR_EXIT} an internal error (please report it).`,
  );
  return `${lines.join('\n')}\n`;
}

/** Runs `mltel` with `argv` (the arguments after the program name); resolves to the exit code. */
export async function main(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(usage());
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-v') {
    io.stdout.write(`${MLTEL_VERSION}\n`);
    return 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.stderr.write(`mltel: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    let message: string;
    try {
      message = error instanceof Error ? error.message : String(error);
    } catch {
      message = 'an error that cannot be shown';
    }
    io.stderr.write(`mltel ${name}: internal error: ${printable(message)}\n`);
    return INTERNAL_ERROR_EXIT;
  }
}
