// Reading what a caller hands the pipeline meter: a field of an options object or record (which
// may be a Proxy or have a throwing getter), and the plausible range of each number it records.
// A finite but absurd value (1e308 s) would turn a histogram's `_sum` into +Inf for ever.

/** Longest plausible duration in seconds (~115 days): pipeline, stage and inference durations. */
export const MAX_SECONDS = 1e7;
/** Largest plausible batch (`ml.batch.size`). */
export const MAX_BATCH_SIZE = 1e9;
/** Longest plausible sequence, in tokens (`ml.sequence.length`, `paddedLength`). */
export const MAX_SEQUENCE_LENGTH = 1e9;
/** Largest plausible token count of one batch (`ml.batch.tokens`, real or padding). */
export const MAX_TOKENS = 1e12;
