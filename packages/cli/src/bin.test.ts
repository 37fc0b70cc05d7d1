// The `mltel` executable (dist/bin.js, built by `pnpm run build`) as a real child process: its
// arguments reach main() and main()'s result becomes the exit code.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { MLTEL_VERSION } from '@mltel/kit';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url));

describe('bin', () => {
  it('prints the version and exits 0', async () => {
    const { stdout, stderr } = await run(process.execPath, [BIN, '--version'], { timeout: 30_000 });
    expect(stdout).toBe(`${MLTEL_VERSION}\n`);
    expect(stderr).toBe('');
  });

  it("exits with main()'s code: 2 for an unknown command", async () => {
    const failed = (await run(process.execPath, [BIN, 'nope'], { timeout: 30_000 }).catch((e: unknown) => e)) as {
      code: number;
      stderr: string;
    };
    expect(failed.code).toBe(2);
    expect(failed.stderr).toMatch(/^mltel: unknown command "nope"\n/);
  });
});
