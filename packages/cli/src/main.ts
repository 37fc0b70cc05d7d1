// The one `mltel` command of the project: a subcommand dispatcher. Each subcommand lives in its
// own folder and returns an exit code; nothing here calls process.exit, so tests run it in-process.
import { MLTEL_VERSION } from '@mltel/kit';
import { drift } from './drift/index.js';
import { gpu } from './gpu/index.js';
import type { CliIo, Command } from './io.js';

const COMMANDS: Record<string, { run: Command; summary: string }> = {
  drift: { run: drift, summary: 'build a reference profile from a CSV/JSON-lines file, or score a file against one' },
  gpu: { run: gpu, summary: 'show what the GPU plugin sees on this host (nvidia-smi), or why it sees nothing' },
};

/** The top-level help: the commands and their one-line summaries. */
export function usage(): string {
  const lines = ['Usage: mltel <command> [options]', '', 'Commands:'];
  for (const [name, { summary }] of Object.entries(COMMANDS)) lines.push(`  ${name.padEnd(8)} ${summary}`);
  lines.push('', 'Run `mltel <command> --help` for the options of a command.');
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
    io.stderr.write(`mltel ${name}: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}
