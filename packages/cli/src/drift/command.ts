// `mltel drift`: dispatches to `profile` and `compare`, turning a bad option into a usage error
// (exit 2) and a file it cannot use into an input error (exit 3) naming the file; exit 1 is
// kept for "a score reached --fail-on" alone, so a CI step can tell drift from a broken input.
import type { CliIo } from '../io.js';
import { compareCommand, COMPARE_USAGE } from './compare.js';
import { DRIFT_EXIT, InputError } from './errors.js';
import { profileCommand, PROFILE_USAGE } from './profile.js';

const USAGE = `Usage: mltel drift <profile|compare> [options]

  mltel drift profile <data> --out <profile.json>   build a reference profile
  mltel drift compare <profile.json> <data>         score a file against a profile

Run \`mltel drift profile --help\` or \`mltel drift compare --help\` for the options.

Exit codes: 0 done (compare: no score reached --fail-on); 1 a score reached --fail-on;
2 bad arguments; 3 a file could not be read or written, is invalid, holds no rows or lacks a
column named in the options (the message names the file and the reason).
`;

/** `mltel drift <profile|compare> …`: reference profiles and batch drift scores (issue 5). */
export async function drift(args: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = args;
  try {
    if (sub === 'profile') return await profileCommand(rest, io);
    if (sub === 'compare') return await compareCommand(rest, io);
  } catch (error) {
    if (error instanceof InputError) {
      io.stderr.write(`mltel drift ${sub}: ${error.message}\n`);
      return DRIFT_EXIT.input;
    }
    // parseArgs throws on unknown options: a usage error, not a crash.
    if ((error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.stderr.write(
        `mltel drift ${sub}: ${(error as Error).message}\n\n${sub === 'profile' ? PROFILE_USAGE : COMPARE_USAGE}`,
      );
      return DRIFT_EXIT.usage;
    }
    throw error;
  }
  if (sub === '--help' || sub === '-h' || sub === 'help') {
    io.stdout.write(USAGE);
    return DRIFT_EXIT.ok;
  }
  io.stderr.write(sub === undefined ? USAGE : `mltel drift: unknown subcommand "${sub}"\n\n${USAGE}`);
  return DRIFT_EXIT.usage;
}
