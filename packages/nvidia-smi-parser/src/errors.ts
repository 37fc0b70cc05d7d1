// Typed failures: the known texts nvidia-smi prints (on stdout, with a non-zero exit) instead of
// the output that was asked for. The parsers throw NvidiaSmiError and nothing else.
import type { NvidiaSmiFailureReason } from './types.js';

/** A recognised nvidia-smi failure, with the original output. The only error the parsers throw. */
export class NvidiaSmiError extends Error {
  override readonly name = 'NvidiaSmiError';
  constructor(
    readonly reason: NvidiaSmiFailureReason,
    message: string,
    /** The nvidia-smi output (stdout and/or stderr) the error was recognised in. */
    readonly output: string,
  ) {
    super(message);
  }
}

interface FailurePattern {
  reason: NvidiaSmiFailureReason;
  test: RegExp;
  message: (m: RegExpExecArray) => string;
}

// Each pattern is matched against one trimmed line, so a process called "No devices were found"
// inside a CSV row (a line with commas before it) is not taken for a failure.
const PATTERNS: readonly FailurePattern[] = [
  {
    reason: 'driver-not-loaded',
    test: /^NVIDIA-SMI has failed because it couldn'?t communicate with the NVIDIA driver/i,
    message: () => 'nvidia-smi cannot communicate with the NVIDIA driver (driver not loaded or not installed)',
  },
  {
    reason: 'driver-not-loaded',
    test: /^NVIDIA-SMI couldn'?t find libnvidia-ml\.so library/i,
    message: () => 'nvidia-smi cannot find libnvidia-ml.so (driver not installed in this environment)',
  },
  {
    reason: 'driver-mismatch',
    test: /^Failed to initialize NVML: Driver\/library version mismatch/i,
    message: () => 'NVML driver/library version mismatch (driver upgraded without reloading the kernel module; reboot)',
  },
  {
    // Any other NVML initialisation failure ("Unknown Error" in containers without device
    // access, "Insufficient Permissions"): NVML cannot reach the driver.
    reason: 'driver-not-loaded',
    test: /^Failed to initialize NVML: (.*)$/i,
    message: (m) => `NVML failed to initialise: ${m[1] ?? ''}`.trim(),
  },
  {
    reason: 'no-devices',
    test: /^No devices were found\b/i,
    message: () => 'nvidia-smi found no NVIDIA GPU',
  },
  {
    reason: 'gpu-lost',
    test: /^Unable to determine the device handle for (?:GPU)?\s*([0-9A-Fa-f:.]*):\s*(.*)$/i,
    message: (m) => `GPU ${m[1] ?? ''} is unreachable: ${m[2] ?? ''}`.trim(),
  },
  {
    reason: 'gpu-lost',
    test: /\bGPU is lost\b/i,
    message: () => 'a GPU has fallen off the bus (GPU is lost)',
  },
  {
    reason: 'invalid-field',
    test: /^Field "([^"]*)" is not a valid field to query/i,
    message: (m) => `nvidia-smi does not know the query field "${m[1] ?? ''}"`,
  },
];

/** The failure `output` shows, if it is one of the known failure texts; undefined otherwise. */
export function detectFailure(output: string): NvidiaSmiError | undefined {
  if (typeof output !== 'string' || output.length === 0) return undefined;
  // Look at every line, so a failure line in the middle of CSV output is recognised too.
  for (const rawLine of output.split(/\r?\n/)) {
    const line = rawLine.trim();
    if (line.length === 0) continue;
    for (const p of PATTERNS) {
      const m = p.test.exec(line);
      if (m) return new NvidiaSmiError(p.reason, p.message(m), output);
    }
  }
  return undefined;
}

/** What a value is, for a message, without running any of its code (no toString, no getter). */
export function describeArgument(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value !== 'object') return typeof value === 'undefined' ? 'undefined' : `a ${typeof value}`;
  try {
    // Array.isArray itself throws for a revoked Proxy.
    return Array.isArray(value) ? 'an array' : 'an object';
  } catch {
    return 'a revoked Proxy';
  }
}

/** The `malformed` error for an output argument that is not a string (`output` is then ''). */
export function notText(value: unknown, what: string): NvidiaSmiError {
  return new NvidiaSmiError('malformed', `${what}: the output must be a string, got ${describeArgument(value)}`, '');
}

/** The recognised failure, or a `malformed` error naming what was expected. */
export function failureOrMalformed(output: string, what: string): NvidiaSmiError {
  return detectFailure(output) ?? new NvidiaSmiError('malformed', `not ${what} output`, output);
}
