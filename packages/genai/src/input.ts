// Reading what a caller hands the provider meter: a field of a call, record, usage or options
// object (which may be a Proxy or have a throwing getter), and the plausible range of each number
// it records. A finite but absurd value (1e308 tokens) would turn a histogram's `_sum` into +Inf
// for ever.

/** Longest plausible duration in seconds (~115 days): call durations, chunk times, audio and video seconds. */
export const MAX_SECONDS = 1e7;
/** Largest plausible count of one call: tokens of each kind, images. */
export const MAX_COUNT = 1e12;
