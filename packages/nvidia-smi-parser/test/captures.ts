// Test helpers over the nvidia-smi fixtures in ./fixtures (copies of shared/fixtures/nvidia-smi,
// see fixtures/SOURCES.md; hand-written outputs in fixtures/synthetic, see its README.md).
// Used by this package's tests and by @mltel/host-metrics-gpu's fake `nvidia-smi`.
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Absolute path of the fixtures folder. */
export const FIXTURES_DIR = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');

/** Absolute path of a fixture: `fixturePath('list-L-8xRTX2080Ti.txt')`, `fixturePath('synthetic/error-no-devices.txt')`. */
export function fixturePath(name: string): string {
  return join(FIXTURES_DIR, name);
}

/** The fixture's text (UTF-8). */
export function readFixture(name: string): string {
  return readFileSync(fixturePath(name), 'utf8');
}

/** Names of the real captures (top-level fixture files, SOURCES.md excluded), sorted. */
export function captureNames(): string[] {
  return readdirSync(FIXTURES_DIR, { withFileTypes: true })
    .filter((e) => e.isFile() && e.name !== 'SOURCES.md')
    .map((e) => e.name)
    .sort();
}

/** Names of the hand-written outputs in `synthetic/` (README.md excluded), as `synthetic/<file>`. */
export function syntheticNames(): string[] {
  return readdirSync(join(FIXTURES_DIR, 'synthetic'))
    .filter((n) => n !== 'README.md')
    .map((n) => `synthetic/${n}`)
    .sort();
}

export interface CaptureSection {
  /** `idle :: query-gpu (csv, what the exporter parses)`; for the old-format file, the command. */
  title: string;
  /** The command line as written in the capture: `nvidia-smi --query-gpu=… --format=csv`. */
  command: string;
  /** Arguments of the command after `nvidia-smi`, shell quotes removed: `['--query-gpu=…', '--format=csv']`. */
  args: string[];
  /** The command's output, with the separator blank lines at its end removed (ends with one `\n` when not empty). */
  output: string;
}

const RULE = /^#{20,}\s*$/;

/**
 * The sections of a multi-section capture file (`capture-multi-*.txt`). Two layouts exist:
 * - nvidia_gpu_exporter's collect.sh: a header block between two `####…` lines holding
 *   `# <title>` and `# $ <command>`, then the output. Blocks without a `# $` line (the file
 *   header, the derived field list) are not sections and are skipped.
 * - the older samples/ file (driver 465): each output follows a `# nvidia-smi …` line.
 */
export function captureSections(text: string): CaptureSection[] {
  const lines = text.split('\n');
  const sections: CaptureSection[] = [];
  const framed = lines.some((l) => RULE.test(l));
  let current: { title: string; command: string; body: string[] } | undefined;
  const flush = (): void => {
    if (current && current.command !== '') {
      const body = [...current.body];
      while (body.length > 0 && body[body.length - 1]!.trim() === '') body.pop();
      sections.push({
        title: current.title,
        command: current.command,
        args: splitArgs(current.command),
        output: body.length > 0 ? `${body.join('\n')}\n` : '',
      });
    }
    current = undefined;
  };
  if (framed) {
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!;
      if (RULE.test(line)) {
        // A header block: RULE, `# …` lines, RULE.
        let j = i + 1;
        const head: string[] = [];
        while (j < lines.length && !RULE.test(lines[j]!) && lines[j]!.startsWith('#')) head.push(lines[j++]!);
        if (j < lines.length && RULE.test(lines[j]!) && head.length > 0) {
          flush();
          const cmd = head.find((h) => h.startsWith('# $ '));
          const title = head.find((h) => !h.startsWith('# $ '));
          current = {
            title: (title ?? '').replace(/^#\s*/, '').trim(),
            command: cmd ? cmd.slice(4).trim() : '',
            body: [],
          };
          i = j;
          continue;
        }
      }
      current?.body.push(line);
    }
  } else {
    for (const line of lines) {
      if (/^# nvidia-smi\b/.test(line)) {
        flush();
        const command = line.slice(2).trim();
        current = { title: command, command, body: [] };
        continue;
      }
      current?.body.push(line);
    }
  }
  flush();
  return sections;
}

/** The first section whose title includes `titlePart` and whose command includes `commandPart`. */
export function findSection(text: string, titlePart: string, commandPart = ''): CaptureSection | undefined {
  return captureSections(text).find((s) => s.title.includes(titlePart) && s.command.includes(commandPart));
}

/** Splits a command line into the arguments after the program name (single/double quotes removed). */
function splitArgs(command: string): string[] {
  const out: string[] = [];
  const re = /"([^"]*)"|'([^']*)'|([^\s"']+)/g;
  let cur = '';
  let lastEnd = -1;
  for (let m = re.exec(command); m !== null; m = re.exec(command)) {
    const piece = m[1] ?? m[2] ?? m[3] ?? '';
    if (lastEnd === m.index) cur += piece;
    else {
      if (lastEnd !== -1) out.push(cur);
      cur = piece;
    }
    lastEnd = m.index + m[0].length;
  }
  if (lastEnd !== -1) out.push(cur);
  return out.slice(1);
}
