export { AnthropicInstrumentation, ANTHROPIC_SUPPORTED_VERSIONS } from './anthropic.js';
export { GoogleGenAIInstrumentation, GOOGLE_GENAI_SUPPORTED_VERSIONS } from './google-genai.js';
export { OpenAIInstrumentation, OPENAI_SUPPORTED_VERSIONS } from './openai.js';
export { OPENAI_COMPATIBLE_HOSTS, openAIProviderOf, setProviderHosts } from './provider-hosts.js';
export type { LlmInstrumentationConfig } from './types.js';
