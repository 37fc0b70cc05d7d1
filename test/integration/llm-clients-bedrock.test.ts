// The real @aws-sdk/client-bedrock-runtime client, in an app preloaded with @mltel/node/register
// (ESM and CJS), against a server replaying captured Bedrock responses over HTTP/2 (as the client
// speaks): exact GenAI metrics in the scrape.
import { describe, expect, it } from 'vitest';
import {
  clientVersion,
  COST,
  DURATION,
  ENTRIES,
  expectNoCanaries,
  expectSameWithout,
  FIRST,
  PER_CHUNK,
  runClientApp,
  sampleOf,
  tokenLabels,
  TOKENS_SUM,
  useReplay,
} from './llm-client-app.js';
import { startClientReplayServer } from './llm-replay-clients.js';

const PACKAGES = ['@aws-sdk/client-bedrock-runtime'];
const VERSION = clientVersion(PACKAGES[0]!);

const replay = useReplay(startClientReplayServer);

const aws = (model: string, extra: Record<string, string> = {}) => ({
  gen_ai_operation_name: 'chat',
  gen_ai_provider_name: 'aws.bedrock',
  gen_ai_request_model: model,
  ...extra,
});
const tokens = tokenLabels;
const LLAMA = 'meta.llama3-2-1b-instruct-v1:0';
const CLAUDE = 'anthropic.claude-3-sonnet-20240229-v1:0';

describe.each(ENTRIES)(`@aws-sdk/client-bedrock-runtime ${VERSION}: $app under $flag`, (entry) => {
  it('records every call with exact values, the app seeing what it sees without mltel', async () => {
    const run = (env = {}) =>
      runClientApp('llm-app-bedrock', PACKAGES, entry, replay().url, { LLM_REPLAY_H2_URL: replay().h2url, ...env });
    const instrumented = await run();
    const { seen, samples } = instrumented;
    const s = (name: string, labels: Record<string, string>) => sampleOf(samples, name, labels);

    expect(seen).toMatchObject({
      converse: { inputTokens: 52, outputTokens: 30 },
      streamEvents: 40,
      invoke: { input_tokens: 16, output_tokens: 19 },
      tooMany: { name: 'ThrottlingException', status: 429 },
      serverError: { status: 500 },
    });

    // Converse and ConverseStream: 52 + 52 in, 30 + 36 out.
    expect(s(DURATION, aws(LLAMA))).toBe(2);
    expect(s(TOKENS_SUM, tokens(aws(LLAMA), 'input'))).toBe(104);
    expect(s(TOKENS_SUM, tokens(aws(LLAMA), 'output'))).toBe(66);
    expect(s(FIRST, aws(LLAMA))).toBe(1);
    expect(s(PER_CHUNK, aws(LLAMA))).toBe(35);
    const claude = aws(CLAUDE, { gen_ai_response_model: 'claude-3-sonnet-20240229' });
    expect(s(DURATION, claude)).toBe(1);
    expect(s(TOKENS_SUM, tokens(claude, 'input'))).toBe(16);
    expect(s(TOKENS_SUM, tokens(claude, 'output'))).toBe(19);
    expect(s(DURATION, aws(LLAMA, { error_type: '429' }))).toBe(1);
    expect(s(DURATION, aws(LLAMA, { error_type: '500' }))).toBe(1);

    // Priced from the built-in catalog: Llama 3.2 1B at $0.10/M in and out; Claude 3 Sonnet (the
    // model that answered) at $3/M in and $15/M out.
    const cost = (model: string) =>
      s(COST, { gen_ai_operation_name: 'chat', gen_ai_provider_name: 'aws.bedrock', gen_ai_request_model: model });
    expect(cost(LLAMA)).toBe(0.000017);
    expect(cost(CLAUDE)).toBe(0.000333);
    await expectSameWithout(run, instrumented, 'bedrock-runtime');
  });
});

describe('@aws-sdk/client-bedrock-runtime scrape', () => {
  it('holds no prompt, no response text and no credentials', async () => {
    const { text } = await runClientApp('llm-app-bedrock', PACKAGES, ENTRIES[0]!, replay().url, {
      LLM_REPLAY_H2_URL: replay().h2url,
    });
    expectNoCanaries(text, ['CANARY', 'sk-test', 'AKID', 'joke', 'therapy', 'distributed trace', 'Authorization']);
  });
});
