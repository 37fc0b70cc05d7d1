export { AnthropicInstrumentation, ANTHROPIC_SUPPORTED_VERSIONS } from './anthropic.js';
export { OpenAIInstrumentation, OPENAI_SUPPORTED_VERSIONS } from './openai.js';
export type { LlmInstrumentationConfig } from './types.js';
