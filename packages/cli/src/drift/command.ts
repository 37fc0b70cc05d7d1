// `mltel drift`: dispatches to `profile` and `compare`, turning a bad option into a usage error (exit 2).
import type { CliIo } from '../io.js';
import { compareCommand, COMPARE_USAGE } from './compare.js';
import { profileCommand, PROFILE_USAGE } from './profile.js';

const USAGE = `Usage: mltel drift <profile|compare> [options]

  mltel drift profile <data> --out <profile.json>   build a reference profile
  mltel drift compare <profile.json> <data>         score a file against a profile

Run \`mltel drift profile --help\` or \`mltel drift compare --help\` for the options.
`;

/** `mltel drift <profile|compare> …`: reference profiles and batch drift scores (issue 5). */
export async function drift(args: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = args;
  try {
    if (sub === 'profile') return await profileCommand(rest, io);
    if (sub === 'compare') return await compareCommand(rest, io);
  } catch (error) {
    // parseArgs throws on unknown options: a usage error, not a crash.
    if ((error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.stderr.write(
        `mltel drift ${sub}: ${(error as Error).message}\n\n${sub === 'profile' ? PROFILE_USAGE : COMPARE_USAGE}`,
      );
      return 2;
    }
    throw error;
  }
  if (sub === '--help' || sub === '-h' || sub === 'help') {
    io.stdout.write(USAGE);
    return 0;
  }
  io.stderr.write(sub === undefined ? USAGE : `mltel drift: unknown subcommand "${sub}"\n\n${USAGE}`);
  return 2;
}
