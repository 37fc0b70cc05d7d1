export { AiSdkInstrumentation, AI_SDK_SUPPORTED_VERSIONS, aiSdkProviderName } from './ai-sdk.js';
export { AnthropicInstrumentation, ANTHROPIC_SUPPORTED_VERSIONS } from './anthropic.js';
export { BedrockRuntimeInstrumentation, BEDROCK_RUNTIME_SUPPORTED_VERSIONS } from './bedrock.js';
export { CohereInstrumentation, COHERE_SUPPORTED_VERSIONS } from './cohere.js';
export { GoogleGenAIInstrumentation, GOOGLE_GENAI_SUPPORTED_VERSIONS } from './google-genai.js';
export { GroqInstrumentation, GROQ_SUPPORTED_VERSIONS } from './groq.js';
export {
  LangChainInstrumentation,
  LANGCHAIN_SUPPORTED_VERSIONS,
  langChainProvider,
  MltelLangChainHandler,
} from './langchain.js';
export { MistralInstrumentation, MISTRAL_SUPPORTED_VERSIONS } from './mistral.js';
export { FalInstrumentation, FAL_SUPPORTED_VERSIONS } from './fal.js';
export { FAL_DEFAULT_OPERATION, falOutcome } from './fal-result.js';
export { OllamaInstrumentation, OLLAMA_SUPPORTED_VERSIONS } from './ollama.js';
export { OpenAIInstrumentation, OPENAI_SUPPORTED_VERSIONS } from './openai.js';
export { OPENAI_COMPATIBLE_HOSTS, openAIProviderOf, setProviderHosts } from './provider-hosts.js';
export type { LlmInstrumentationConfig } from './types.js';
