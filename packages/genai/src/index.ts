export { ProviderMeter } from './provider-meter.js';
export { CallRefusedError, isCallRefusal } from './call-refusal.js';
export type { CallRefusal } from './call-refusal.js';
export { configureDefaultProviderMeter, createProviderMeter, defaultProviderMeter } from './default-meter.js';
export { genAiErrorType, isProviderFailure } from './error-type.js';
export type { CircuitBreakerState } from './health.js';
export { anthropicEventUsage, anthropicUsage, openAIResponseEventUsage, openAIUsage } from './usage.js';
export { googleEmbedUsage, googleGenAIUsage } from './usage-google.js';
export { bedrockConverseStreamUsage, bedrockConverseUsage, bedrockInvokeUsage } from './usage-bedrock.js';
export { aiSdkEmbeddingUsage, aiSdkResultUsage, aiSdkUsage } from './usage-ai-sdk.js';
export { mistralEventUsage, mistralUsage } from './usage-mistral.js';
export { groqUsage } from './usage-groq.js';
export { cohereUsage } from './usage-cohere.js';
export { ollamaUsage } from './usage-ollama.js';
export { langChainUsage } from './usage-langchain.js';
export {
  openAIImageEventUsage,
  openAIImageUsage,
  openAITranscriptionEventUsage,
  openAITranscriptionUsage,
  speechInputUsage,
} from './usage-openai-media.js';
export { rateLimitReadings, parseResetDuration } from './rate-limit-headers.js';
export type {
  HeaderSource,
  RateLimitHeaderFamily,
  RateLimitKind,
  RateLimitReading,
} from './rate-limit-headers.js';
export { configureDefaultRateLimitMeter, defaultRateLimitMeter, RateLimitMeter } from './rate-limit-meter.js';
export type { RateLimitMeterOptions } from './rate-limit-meter.js';
export { SCOPE_NAME, SCOPE_VERSION } from './instruments.js';
export type {
  DerivedHealthOptions,
  ProviderCall,
  ProviderCallEvent,
  ProviderCallHooks,
  ProviderCallRecord,
  ProviderCallTimer,
  ProviderMeterOptions,
  ProviderUsage,
  StreamOptions,
  TrackOptions,
} from './types.js';
