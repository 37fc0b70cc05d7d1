// server.address / server.port of an SDK client, read from its baseURL once per distinct URL.
const MAX_CACHED = 100;
const cache = new Map<string, Server>();

/** Where a client sends its requests. */
export interface Server {
  readonly serverAddress: string | undefined;
  readonly serverPort: number | undefined;
}

const UNKNOWN: Server = { serverAddress: undefined, serverPort: undefined };

/** The host and port of a base URL (default ports made explicit); never the path or query. */
export function serverOf(baseURL: unknown): Server {
  if (typeof baseURL !== 'string') return UNKNOWN;
  let server = cache.get(baseURL);
  if (server !== undefined) return server;
  try {
    const url = new URL(baseURL);
    const port = url.port === '' ? (url.protocol === 'http:' ? 80 : 443) : Number(url.port);
    server = { serverAddress: url.hostname.replace(/^\[|\]$/g, ''), serverPort: port };
  } catch {
    server = UNKNOWN;
  }
  if (cache.size < MAX_CACHED) cache.set(baseURL, server);
  return server;
}

// OpenAI-compatible APIs reached with the openai client, by host, as OTel names them.
const OPENAI_COMPATIBLE: readonly [RegExp, string][] = [
  [/\.openai\.azure\.com$/, 'azure.ai.openai'],
  [/(^|\.)api\.groq\.com$/, 'groq'],
  [/(^|\.)api\.deepseek\.com$/, 'deepseek'],
  [/(^|\.)api\.x\.ai$/, 'x_ai'],
  [/(^|\.)api\.mistral\.ai$/, 'mistral_ai'],
  [/(^|\.)api\.perplexity\.ai$/, 'perplexity'],
  [/(^|\.)generativelanguage\.googleapis\.com$/, 'gcp.gemini'],
];

/**
 * `gen_ai.provider.name` of a call made with the openai client: `azure.ai.openai` for the Azure
 * client or an Azure host, the provider of a known OpenAI-compatible host, else `openai`.
 */
export function openAIProviderOf(client: unknown, serverAddress: string | undefined): string {
  if ((client as { constructor?: { name?: unknown } } | undefined)?.constructor?.name === 'AzureOpenAI') {
    return 'azure.ai.openai';
  }
  if (serverAddress !== undefined) {
    for (const [host, provider] of OPENAI_COMPATIBLE) if (host.test(serverAddress)) return provider;
  }
  return 'openai';
}
