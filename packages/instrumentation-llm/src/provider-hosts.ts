// `gen_ai.provider.name` of a call made with the openai client, from where it is sent: many APIs
// are OpenAI-compatible and are called with this client. OTel's well-known provider names where
// they exist (azure.ai.openai, groq, deepseek, mistral_ai, x_ai, perplexity, gcp.gemini), else
// LiteLLM's names. The table is documented in docs/genai.md; MLTEL_GENAI_PROVIDERS adds to it.

/** A host rule: an exact host (and its subdomains), a `*` suffix, or any host on a port (`:11434`), with an optional port. */
interface HostRule {
  readonly host: string | undefined;
  readonly suffix: boolean;
  readonly port: number | undefined;
  readonly provider: string;
}

/** Built-in OpenAI-compatible endpoints, by host (first match wins). */
export const OPENAI_COMPATIBLE_HOSTS: readonly (readonly [pattern: string, provider: string])[] = [
  ['*.openai.azure.com', 'azure.ai.openai'],
  ['*.cognitiveservices.azure.com', 'azure.ai.openai'],
  ['*.services.ai.azure.com', 'azure.ai.inference'],
  ['*.models.ai.azure.com', 'azure.ai.inference'],
  ['*.inference.ai.azure.com', 'azure.ai.inference'],
  ['api.groq.com', 'groq'],
  ['api.deepseek.com', 'deepseek'],
  ['api.x.ai', 'x_ai'],
  ['api.mistral.ai', 'mistral_ai'],
  ['api.perplexity.ai', 'perplexity'],
  ['generativelanguage.googleapis.com', 'gcp.gemini'],
  ['aiplatform.googleapis.com', 'gcp.vertex_ai'],
  ['*-aiplatform.googleapis.com', 'gcp.vertex_ai'],
  ['api.anthropic.com', 'anthropic'],
  ['api.cohere.ai', 'cohere'],
  ['api.cohere.com', 'cohere'],
  ['*.bedrock-runtime.amazonaws.com', 'aws.bedrock'],
  ['api.together.xyz', 'together_ai'],
  ['api.together.ai', 'together_ai'],
  ['openrouter.ai', 'openrouter'],
  ['api.fireworks.ai', 'fireworks_ai'],
  ['api.cerebras.ai', 'cerebras'],
  ['api.deepinfra.com', 'deepinfra'],
  ['integrate.api.nvidia.com', 'nvidia_nim'],
  ['router.huggingface.co', 'huggingface'],
  ['api-inference.huggingface.co', 'huggingface'],
  ['api.moonshot.ai', 'moonshot'],
  ['api.moonshot.cn', 'moonshot'],
  ['dashscope.aliyuncs.com', 'dashscope'],
  ['dashscope-intl.aliyuncs.com', 'dashscope'],
  ['api.sambanova.ai', 'sambanova'],
  ['api.novita.ai', 'novita'],
  ['api.hyperbolic.xyz', 'hyperbolic'],
  ['api.lambda.ai', 'lambda_ai'],
  ['api.studio.nebius.com', 'nebius'],
  ['api.studio.nebius.ai', 'nebius'],
  ['api.featherless.ai', 'featherless_ai'],
  // Local servers, by their default port on any host.
  [':11434', 'ollama'],
  [':1234', 'lm_studio'],
];

const MAX_PROVIDER_LENGTH = 64;
const MAX_CACHED = 100;

function parseRule(pattern: string, provider: string): HostRule | undefined {
  const p = pattern.trim().toLowerCase();
  const name = provider.trim();
  if (p === '' || name === '' || name.length > MAX_PROVIDER_LENGTH) return undefined;
  const colon = p.lastIndexOf(':');
  // An IPv6 literal is written in brackets: [::1]:8000.
  const hasPort = colon >= 0 && !p.endsWith(']') && /^\d{1,5}$/.test(p.slice(colon + 1));
  const hostPart = (hasPort ? p.slice(0, colon) : p).replace(/^\[|\]$/g, '');
  const port = hasPort ? Number(p.slice(colon + 1)) : undefined;
  if (hostPart === '' && port === undefined) return undefined;
  const suffix = hostPart.startsWith('*');
  return { host: hostPart === '' ? undefined : suffix ? hostPart.slice(1) : hostPart, suffix, port, provider: name };
}

function matches(rule: HostRule, host: string, port: number | undefined): boolean {
  if (rule.port !== undefined && rule.port !== port) return false;
  if (rule.host === undefined) return true;
  // `*.example.com` matches hosts under example.com, `*-aiplatform.googleapis.com` any prefix;
  // an exact host matches itself and its subdomains (eu.api.groq.com), never a look-alike.
  if (rule.suffix) return host.endsWith(rule.host) && host.length > rule.host.length;
  return host === rule.host || (host.endsWith(rule.host) && host.charAt(host.length - rule.host.length - 1) === '.');
}

const BUILT_IN: readonly HostRule[] = OPENAI_COMPATIBLE_HOSTS.map(
  ([pattern, provider]) => parseRule(pattern, provider) as HostRule,
);
let overrides: readonly HostRule[] = [];
const cache = new Map<string, HostProvider>();

/**
 * Parses `host=provider` entries (MLTEL_GENAI_PROVIDERS): `host` is an exact host, `*.suffix`,
 * `host:port` or `:port` (any host on that port). Returns the entries that could not be read.
 */
export function parseProviderHosts(entries: readonly string[]): { rules: HostRule[]; invalid: string[] } {
  const rules: HostRule[] = [];
  const invalid: string[] = [];
  for (const entry of entries) {
    const at = entry.lastIndexOf('=');
    const rule = at > 0 ? parseRule(entry.slice(0, at), entry.slice(at + 1)) : undefined;
    if (rule === undefined) invalid.push(entry);
    else rules.push(rule);
  }
  return { rules, invalid };
}

/**
 * Sets the host rules checked before the built-in table (`host=provider` entries, see
 * {@link parseProviderHosts}), for every openai client of the process. Returns the entries that
 * could not be read (they are ignored).
 */
export function setProviderHosts(entries: readonly string[]): string[] {
  const { rules, invalid } = parseProviderHosts(entries);
  overrides = rules;
  cache.clear();
  return invalid;
}

interface HostProvider {
  readonly provider: string | undefined;
  readonly override: boolean;
}

const NONE: HostProvider = { provider: undefined, override: false };

function byHost(host: string | undefined, port: number | undefined): HostProvider {
  if (host === undefined) return NONE;
  const h = host.toLowerCase();
  for (const rule of overrides) if (matches(rule, h, port)) return { provider: rule.provider, override: true };
  for (const rule of BUILT_IN) if (matches(rule, h, port)) return { provider: rule.provider, override: false };
  return NONE;
}

/**
 * `gen_ai.provider.name` of a call made with the openai client: a host rule of
 * MLTEL_GENAI_PROVIDERS; `azure.ai.openai` for the AzureOpenAI client; a known OpenAI-compatible
 * host of {@link OPENAI_COMPATIBLE_HOSTS}; else `openai`. Cached per host and port.
 */
export function openAIProviderOf(client: unknown, serverAddress: string | undefined, serverPort?: number): string {
  const key = `${serverAddress ?? ''}|${serverPort ?? ''}`;
  let found = cache.get(key);
  if (found === undefined) {
    found = byHost(serverAddress, serverPort);
    if (cache.size < MAX_CACHED) cache.set(key, found);
  }
  if (found.override) return found.provider as string;
  if ((client as { constructor?: { name?: unknown } } | undefined)?.constructor?.name === 'AzureOpenAI') {
    return 'azure.ai.openai';
  }
  return found.provider ?? 'openai';
}
