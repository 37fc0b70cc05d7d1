import { afterEach, describe, expect, it } from 'vitest';
import { OPENAI_COMPATIBLE_HOSTS, openAIProviderOf, parseProviderHosts, setProviderHosts } from './provider-hosts.js';

afterEach(() => {
  setProviderHosts([]);
});

describe('openAIProviderOf()', () => {
  it('an AzureOpenAI client is azure.ai.openai, whatever its host', () => {
    class AzureOpenAI {}
    expect(openAIProviderOf(new AzureOpenAI(), 'gateway.internal')).toBe('azure.ai.openai');
    expect(openAIProviderOf(new AzureOpenAI(), undefined)).toBe('azure.ai.openai');
  });

  it.each([
    ['myres.openai.azure.com', 443, 'azure.ai.openai'],
    ['myres.cognitiveservices.azure.com', 443, 'azure.ai.openai'],
    ['myres.services.ai.azure.com', 443, 'azure.ai.inference'],
    ['api.groq.com', 443, 'groq'],
    ['api.deepseek.com', 443, 'deepseek'],
    ['api.x.ai', 443, 'x_ai'],
    ['api.mistral.ai', 443, 'mistral_ai'],
    ['api.perplexity.ai', 443, 'perplexity'],
    ['generativelanguage.googleapis.com', 443, 'gcp.gemini'],
    ['us-central1-aiplatform.googleapis.com', 443, 'gcp.vertex_ai'],
    ['api.together.xyz', 443, 'together_ai'],
    ['openrouter.ai', 443, 'openrouter'],
    ['api.fireworks.ai', 443, 'fireworks_ai'],
    ['api.cerebras.ai', 443, 'cerebras'],
    ['localhost', 11434, 'ollama'],
    ['127.0.0.1', 11434, 'ollama'],
    ['gpu-box.lan', 1234, 'lm_studio'],
    ['eu.api.groq.com', 443, 'groq'],
    ['API.GROQ.COM', 443, 'groq'],
    ['api.openai.com', 443, 'openai'],
    ['127.0.0.1', 8000, 'openai'],
    // Look-alike hosts are not the provider.
    ['evilapi.groq.com', 443, 'openai'],
    ['api.groq.com.attacker.net', 443, 'openai'],
    ['openai.azure.com', 443, 'openai'],
    ['notopenrouter.ai', 443, 'openai'],
  ])('host %s port %i is %s', (host, port, provider) => {
    expect(openAIProviderOf({}, host, port)).toBe(provider);
  });

  it('no client and no host is openai; a client without a prototype is judged by its host', () => {
    expect(openAIProviderOf(undefined, undefined)).toBe('openai');
    expect(openAIProviderOf(null, undefined)).toBe('openai');
    expect(openAIProviderOf(Object.create(null), 'api.x.ai')).toBe('x_ai');
  });

  it('every built-in rule is used: each pattern maps its own example host', () => {
    for (const [pattern, provider] of OPENAI_COMPATIBLE_HOSTS) {
      const host = pattern.startsWith(':') ? 'localhost' : pattern.replace(/^\*/, 'x');
      const port = pattern.startsWith(':') ? Number(pattern.slice(1)) : 443;
      expect(openAIProviderOf({}, host, port), pattern).toBe(provider);
    }
  });
});

describe('setProviderHosts()', () => {
  it('rules are checked first: exact host, host:port, *.suffix and :port', () => {
    expect(
      setProviderHosts([
        'vllm.internal:8000=vllm',
        'api.groq.com=my-groq',
        '*.corp.example=azure.ai.openai',
        ':9000=tgi',
      ]),
    ).toEqual([]);
    expect(openAIProviderOf({}, 'vllm.internal', 8000)).toBe('vllm');
    expect(openAIProviderOf({}, 'vllm.internal', 8001)).toBe('openai');
    expect(openAIProviderOf({}, 'api.groq.com', 443)).toBe('my-groq');
    expect(openAIProviderOf({}, 'gw.corp.example', 443)).toBe('azure.ai.openai');
    expect(openAIProviderOf({}, '10.0.0.7', 9000)).toBe('tgi');
    // A rule wins over the AzureOpenAI client class too.
    class AzureOpenAI {}
    expect(openAIProviderOf(new AzureOpenAI(), 'vllm.internal', 8000)).toBe('vllm');
  });

  it('replaces the previous rules (and what was cached for them)', () => {
    setProviderHosts(['127.0.0.1:8000=vllm']);
    expect(openAIProviderOf({}, '127.0.0.1', 8000)).toBe('vllm');
    setProviderHosts([]);
    expect(openAIProviderOf({}, '127.0.0.1', 8000)).toBe('openai');
  });

  it('returns the entries it cannot read, and ignores them', () => {
    expect(setProviderHosts(['groq', '=groq', 'api.example.com=', `x=${'p'.repeat(65)}`, 'ok.example=ok'])).toEqual([
      'groq',
      '=groq',
      'api.example.com=',
      `x=${'p'.repeat(65)}`,
    ]);
    expect(openAIProviderOf({}, 'ok.example', 443)).toBe('ok');
  });

  it('parses an IPv6 host with a port', () => {
    const { rules } = parseProviderHosts(['[::1]:8000=vllm']);
    expect(rules).toEqual([{ host: '::1', suffix: false, port: 8000, provider: 'vllm' }]);
  });
});
