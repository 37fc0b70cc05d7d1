// Shared harness of the @mltel/instrumentation-llm unit tests: the real openai and Anthropic
// clients (every major the package supports, from its devDependencies) patched by an
// instrumentation, against the replay of captured provider responses that the integration tests
// use too, recording through a provider meter on a real MeterProvider with a manual reader.
import { createProviderMeter } from '@mltel/genai';
import type { ProviderMeter } from '@mltel/genai';
import { sdkHarness } from '@mltel/test-kit';
import type { InstrumentationBase } from '@opentelemetry/instrumentation';
import { onTestFinished } from 'vitest';
import type { LlmInstrumentationConfig } from '../src/types.js';

export { sseEvents, startReplayServer } from '../../../test/integration/llm-replay.js';
export type { ReplayServer } from '../../../test/integration/llm-replay.js';

// The attribute names as exported (literals: the names on the wire are what is tested).
export const PROVIDER = 'gen_ai.provider.name';
export const OPERATION = 'gen_ai.operation.name';
export const REQUEST_MODEL = 'gen_ai.request.model';
export const RESPONSE_MODEL = 'gen_ai.response.model';
export const TOKEN_TYPE = 'gen_ai.token.type';
export const ERROR_TYPE = 'error.type';
export const SERVER_ADDRESS = 'server.address';
export const SERVER_PORT = 'server.port';

/** Sort key order: provider, operation, models, error type, token type, then the rest. */
const ORDER = [PROVIDER, OPERATION, REQUEST_MODEL, RESPONSE_MODEL, ERROR_TYPE, TOKEN_TYPE];

export type { HistogramPoint, SumPoint } from '@mltel/test-kit';
export const { Collection, collect, captureDiag, sdkProvider } = sdkHarness(ORDER);
export type Collection = InstanceType<typeof Collection>;

/** The API key the tests give the clients: it must never reach a metric. */
export const API_KEY = 'sk-test-CANARY-KEY-0123456789';

/** A provider meter on a real SDK provider. */
export function setup() {
  const sdk = sdkProvider();
  const meter = createProviderMeter({ meterProvider: sdk.provider });
  return { ...sdk, meter };
}

type LlmInstrumentation = InstrumentationBase<LlmInstrumentationConfig>;

/**
 * Patches a loaded client module (`exports`, an ESM namespace or CommonJS exports) with an
 * instrumentation recording to `meter`, as its require/import hook would, and unpatches it when
 * the test ends. Returns the instrumentation.
 */
export function instrument<I extends LlmInstrumentation>(
  Instrumentation: new (config: LlmInstrumentationConfig) => I,
  exports: unknown,
  meter: ProviderMeter,
): I {
  // enabled: false: no require-in-the-middle hook; the module is patched by hand.
  const instrumentation = new Instrumentation({ enabled: false, meter });
  const [definition] = instrumentation.getModuleDefinitions();
  definition!.patch!(exports);
  onTestFinished(() => {
    definition!.unpatch!(exports);
  });
  return instrumentation;
}

export const DURATION = 'gen_ai.client.operation.duration';
export const TOKENS = 'gen_ai.client.token.usage';
export const FIRST_CHUNK = 'gen_ai.client.operation.time_to_first_chunk';
export const PER_CHUNK = 'gen_ai.client.operation.time_per_output_chunk';
export const TOKEN_DETAIL = 'ml.gen_ai.token.detail';
