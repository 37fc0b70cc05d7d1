import type { Attributes, MeterProvider } from '@opentelemetry/api';

/** What a provider call is: the attributes every one of its measurements carries. */
export interface ProviderCall {
  /** `gen_ai.provider.name`: `openai`, `anthropic`, `gcp.gemini`, `fal_ai`… (required). */
  provider: string;
  /** `gen_ai.operation.name`: `chat`, `embeddings`, `image_generation`, `transcription`… (required). */
  operation: string;
  /** `gen_ai.request.model`: the model asked for. */
  model?: string | undefined;
  /** `server.address`: the provider host (no path, no query). */
  serverAddress?: string | undefined;
  /** `server.port`: the provider port. */
  serverPort?: number | undefined;
}

/**
 * What the provider reported a call used. Record only what the provider reports: a field left
 * undefined is not recorded (never guessed, never 0).
 */
export interface ProviderUsage {
  /** `gen_ai.response.model`: the model that answered. */
  responseModel?: string | undefined;
  /** Billable input tokens, cache reads and writes included. */
  inputTokens?: number | undefined;
  /** Billable output tokens, reasoning included. */
  outputTokens?: number | undefined;
  /** Input tokens read from the provider's prompt cache (part of `inputTokens`). */
  cacheReadInputTokens?: number | undefined;
  /** Input tokens written to the provider's prompt cache (part of `inputTokens`). */
  cacheCreationInputTokens?: number | undefined;
  /** Reasoning tokens (part of `outputTokens`). */
  reasoningTokens?: number | undefined;
  /** Input tokens that were audio (part of `inputTokens`): priced at an audio input rate where the price has one. */
  audioInputTokens?: number | undefined;
  /** Images generated. */
  images?: number | undefined;
  /** Seconds of audio processed or generated. */
  audioSeconds?: number | undefined;
  /** Seconds of video processed or generated. */
  videoSeconds?: number | undefined;
  /** Characters billed (speech synthesis): `ml.gen_ai.characters`, and priced by the cost meter. */
  characters?: number | undefined;
}

/** A finished call recorded by hand with {@link ProviderMeter.record}. */
export interface ProviderCallRecord extends ProviderCall {
  /** How long the call took, in seconds. */
  durationSeconds: number;
  /** What it used. */
  usage?: ProviderUsage | undefined;
  /** The error it failed with: an `error.type` string, or the thrown value to classify. */
  error?: unknown;
  /** For streams: seconds from the request to the first chunk. */
  timeToFirstChunkSeconds?: number | undefined;
}

/** Options of {@link ProviderMeter.track}. */
export interface TrackOptions<T> {
  /** Reads the usage from the call's result. A throwing extractor records no usage. */
  usage?: ((result: T) => ProviderUsage | undefined) | undefined;
}

/** Options of {@link ProviderMeter.trackStream}. */
export interface StreamOptions<C> {
  /**
   * Reads usage from one chunk; results of all chunks merge, later fields winning (Anthropic
   * reports input tokens in its first event and output tokens in its last).
   */
  usage?: ((chunk: C) => ProviderUsage | undefined) | undefined;
  /**
   * Whether a chunk carries output. Only such chunks time the first chunk and the gaps between
   * chunks (so a keep-alive or a usage-only chunk does not). Default: every chunk.
   */
  isOutputChunk?: ((chunk: C) => boolean) | undefined;
}

/** A call being timed by hand, from {@link ProviderMeter.start}. */
export interface ProviderCallTimer {
  /** Marks one output chunk received now (streams). */
  chunk(): void;
  /** Ends the call as a success with what it used. Later calls of end/fail are ignored. */
  end(usage?: ProviderUsage): void;
  /** Ends the call as a failure; the thrown value is classified into `error.type`. */
  fail(error: unknown, usage?: ProviderUsage): void;
}

/** When the meter derives `ml.provider.status` from recent outcomes. */
export interface DerivedHealthOptions {
  /** Outcomes remembered per provider (default 20). */
  window?: number;
  /** Outcomes needed before a provider can be marked unhealthy (default 5). */
  minCalls?: number;
  /** Share of failed outcomes at or above which a provider is unhealthy (default 0.5). */
  maxFailureRatio?: number;
}

/** Options of a provider meter. */
export interface ProviderMeterOptions {
  /** Provider to record to; default: the global one, followed when it changes. */
  meterProvider?: MeterProvider | undefined;
  /**
   * Model allow-list for `gen_ai.request.model` and `gen_ai.response.model`: exact names or
   * prefixes ending in `*` (`gpt-4o*`). Others are recorded as `_OTHER`. Default: the first
   * `maxModels` distinct names.
   */
  models?: readonly string[] | undefined;
  /** Distinct model names kept before others become `_OTHER` (default 200). */
  maxModels?: number | undefined;
  /** Derive `ml.provider.status` from call outcomes (opt-in): `true` or tuning options. */
  deriveHealth?: boolean | DerivedHealthOptions | undefined;
}

/** A finished call, as the `afterCall` hook sees it. */
export interface ProviderCallEvent {
  /** `gen_ai.provider.name` as admitted. */
  readonly provider: string;
  /** `gen_ai.operation.name` as admitted. */
  readonly operation: string;
  /** The request model as given (before the allow-list), for price lookups. */
  readonly model: string | undefined;
  /** The call's recorded attributes (provider, operation, bounded request model, server). */
  readonly attributes: Attributes;
  /** What the provider reported, if anything. */
  readonly usage: ProviderUsage | undefined;
  /** The failure, or undefined. */
  readonly error: unknown;
  /** How long it took, in seconds. */
  readonly durationSeconds: number;
}

/** Hooks around the calls a provider meter records ({@link ProviderMeter.addHooks}). */
export interface ProviderCallHooks {
  /**
   * Before a call is sent. Throwing a refusal (a `CallRefusedError`, or any error whose
   * `refusesCall` is true: `isCallRefusal`) refuses the call: the error reaches the caller and
   * nothing is sent. Other errors are swallowed.
   */
  beforeCall?(call: { provider: string; operation: string; model: string | undefined }): void;
  /**
   * Before `beforeCall`, in `track()` and `trackStream()` only (the auto-instrumentation must
   * decide synchronously): a chance to refresh what `beforeCall` decides on. Its failures are
   * swallowed; the caller waits for it. Returning nothing means there is nothing to wait for
   * (the call goes ahead without a turn of the event loop).
   */
  prepare?(call: { provider: string; operation: string; model: string | undefined }): PromiseLike<void> | undefined;
  /** After a call ended, successful or not. */
  afterCall?(event: ProviderCallEvent): void;
}
