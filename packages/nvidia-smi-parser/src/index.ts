// Public API of @mltel/nvidia-smi-parser. STUB: the signatures are the contract; the parser
// work replaces the bodies (each parser throws only NvidiaSmiError, never anything untyped).
export type * from './types.js';
import type { GpuProcess, GpuReading, ListedGpu, NvidiaSmiFailureReason, QueryField, XmlReport } from './types.js';

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

/** The failure `output` shows, if it is one of the known failure texts; undefined otherwise. */
export function detectFailure(_output: string): NvidiaSmiError | undefined {
  throw new Error('not implemented');
}

/**
 * `--query-gpu=<fields> --format=csv[,noheader][,nounits]`. With a header, the fields come
 * from it; with `noheader`, `fields` (the list passed to --query-gpu) is required.
 */
export function parseQueryGpuCsv(_text: string, _fields?: readonly string[]): GpuReading[] {
  throw new Error('not implemented');
}

/** `--query-compute-apps=<fields> --format=csv[,noheader][,nounits]`. */
export function parseComputeAppsCsv(_text: string, _fields?: readonly string[]): GpuProcess[] {
  throw new Error('not implemented');
}

/** `-q -x`: schemas v11, v12, v13 (and older files with no DOCTYPE). */
export function parseXml(_text: string): XmlReport {
  throw new Error('not implemented');
}

/** `--help-query-gpu`: the fields this driver accepts (field negotiation). */
export function parseHelpQueryGpu(_text: string): QueryField[] {
  throw new Error('not implemented');
}

/** `-L` / `--list-gpus`. */
export function parseList(_text: string): ListedGpu[] {
  throw new Error('not implemented');
}
