import * as bedrock from '@aws-sdk/client-bedrock-runtime';
import type { Attributes } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { countsOf, tokensOf, useClientReplay, useDiagLog } from '../test/clients.js';
import {
  API_KEY,
  DURATION,
  ERROR_TYPE,
  FIRST_CHUNK,
  instrument,
  OPERATION,
  PER_CHUNK,
  PROVIDER,
  REQUEST_MODEL,
  RESPONSE_MODEL,
  SERVER_ADDRESS,
  setup,
  TOKEN_TYPE,
} from '../test/harness.js';
import { BedrockRuntimeInstrumentation } from './bedrock.js';

const replay = useClientReplay();
const log = useDiagLog();

const client = (scenario: string) =>
  new bedrock.BedrockRuntimeClient({
    region: 'us-east-1',
    endpoint: `${replay().h2url}/${scenario}`,
    credentials: { accessKeyId: 'AKIDCANARY', secretAccessKey: API_KEY },
    maxAttempts: 1,
  });
const LLAMA = 'meta.llama3-2-1b-instruct-v1:0';
const CLAUDE = 'anthropic.claude-3-sonnet-20240229-v1:0';
const MESSAGES = [{ role: 'user' as const, content: [{ text: 'Tell me a joke about opentelemetry' }] }];
const invokeBody = (body: object) => new TextEncoder().encode(JSON.stringify(body));

const aws = (model: string, operation = 'chat', extra: Attributes = {}): Attributes => ({
  [PROVIDER]: 'aws.bedrock',
  [OPERATION]: operation,
  [REQUEST_MODEL]: model,
  ...extra,
});

const counts = countsOf;
const tokens = tokensOf;

describe('@aws-sdk/client-bedrock-runtime', () => {
  it('Converse: duration and tokens (no server: the client resolves its endpoint asynchronously)', async () => {
    const { meter, collect } = setup();
    instrument(BedrockRuntimeInstrumentation, bedrock, meter);
    const output = await client('ok').send(new bedrock.ConverseCommand({ modelId: LLAMA, messages: MESSAGES }));
    expect(output.usage?.outputTokens).toBe(30);
    const c = await collect();
    expect(c.histograms(DURATION).map((h) => [h.attributes, h.count])).toEqual([[aws(LLAMA), 1]]);
    expect(tokens(c)).toEqual([
      [{ ...aws(LLAMA), [TOKEN_TYPE]: 'input' }, 52],
      [{ ...aws(LLAMA), [TOKEN_TYPE]: 'output' }, 30],
    ]);
    expect(log().warnings).toEqual([]);
  });

  it('the BedrockRuntime aggregate client goes through the same send()', async () => {
    const { meter, collect } = setup();
    instrument(BedrockRuntimeInstrumentation, bedrock, meter);
    const aggregate = new bedrock.BedrockRuntime({
      region: 'us-east-1',
      endpoint: `${replay().h2url}/ok`,
      credentials: { accessKeyId: 'AKIDCANARY', secretAccessKey: API_KEY },
    });
    await aggregate.converse({ modelId: LLAMA, messages: MESSAGES });
    expect(counts(await collect(), DURATION)).toEqual([[aws(LLAMA), 1]]);
  });

  it('ConverseStream: every event reaches the caller, usage from the metadata event, chunk timings', async () => {
    const { meter, collect } = setup();
    instrument(BedrockRuntimeInstrumentation, bedrock, meter);
    const output = await client('ok').send(new bedrock.ConverseStreamCommand({ modelId: LLAMA, messages: MESSAGES }));
    let events = 0;
    let deltas = 0;
    for await (const event of output.stream ?? []) {
      events++;
      if (event.contentBlockDelta !== undefined) deltas++;
    }
    expect([events, deltas]).toEqual([40, 36]);
    const c = await collect();
    expect(counts(c, DURATION)).toEqual([[aws(LLAMA), 1]]);
    expect(tokens(c)).toEqual([
      [{ ...aws(LLAMA), [TOKEN_TYPE]: 'input' }, 52],
      [{ ...aws(LLAMA), [TOKEN_TYPE]: 'output' }, 36],
    ]);
    expect(counts(c, FIRST_CHUNK)).toEqual([[aws(LLAMA), 1]]);
    expect(counts(c, PER_CHUNK)).toEqual([[aws(LLAMA), 35]]);
  });

  it('InvokeModel: the Anthropic, Meta and Amazon families, each by its body shape', async () => {
    const { meter, collect } = setup();
    instrument(BedrockRuntimeInstrumentation, bedrock, meter);
    const invoke = (modelId: string, body: object) =>
      client('ok').send(
        new bedrock.InvokeModelCommand({ modelId, body: invokeBody(body), contentType: 'application/json' }),
      );
    const claude = await invoke(CLAUDE, { anthropic_version: 'bedrock-2023-05-31', max_tokens: 200, messages: [] });
    expect(JSON.parse(new TextDecoder().decode(claude.body)).usage).toEqual({ input_tokens: 16, output_tokens: 19 });
    await invoke('meta.llama3-70b-instruct-v1:0', { prompt: 'x' });
    await invoke('amazon.titan-text-express-v1', { inputText: 'x' });
    const c = await collect();
    const anthropic = aws(CLAUDE, 'chat', { [RESPONSE_MODEL]: 'claude-3-sonnet-20240229' });
    expect(tokens(c)).toEqual([
      [{ ...aws('amazon.titan-text-express-v1'), [TOKEN_TYPE]: 'input' }, 30],
      [{ ...aws('amazon.titan-text-express-v1'), [TOKEN_TYPE]: 'output' }, 29],
      [{ ...anthropic, [TOKEN_TYPE]: 'input' }, 16],
      [{ ...anthropic, [TOKEN_TYPE]: 'output' }, 19],
      [{ ...aws('meta.llama3-70b-instruct-v1:0'), [TOKEN_TYPE]: 'input' }, 8],
      [{ ...aws('meta.llama3-70b-instruct-v1:0'), [TOKEN_TYPE]: 'output' }, 35],
    ]);
  });

  it('InvokeModelWithResponseStream: usage from the invocation metrics of the last chunk', async () => {
    const { meter, collect } = setup();
    instrument(BedrockRuntimeInstrumentation, bedrock, meter);
    const output = await client('ok').send(
      new bedrock.InvokeModelWithResponseStreamCommand({ modelId: CLAUDE, body: invokeBody({ messages: [] }) }),
    );
    let chunks = 0;
    for await (const _ of output.body ?? []) chunks++;
    expect(chunks).toBe(23);
    const c = await collect();
    const attributes = aws(CLAUDE, 'chat', { [RESPONSE_MODEL]: 'claude-3-sonnet-20240229' });
    expect(counts(c, DURATION)).toEqual([[attributes, 1]]);
    expect(tokens(c)).toEqual([
      [{ ...attributes, [TOKEN_TYPE]: 'input' }, 16],
      [{ ...attributes, [TOKEN_TYPE]: 'output' }, 21],
    ]);
    // Only content_block_delta chunks are output: 18 of the 23.
    expect(counts(c, PER_CHUNK)).toEqual([[aws(CLAUDE), 17]]);
  });

  it.each([
    ['429', 'ThrottlingException'],
    ['500', 'InternalServerException'],
  ])('an HTTP %s: the same %s-like error reaches the caller; error.type is the status', async (scenario) => {
    const { meter, collect } = setup();
    const command = () => new bedrock.ConverseCommand({ modelId: LLAMA, messages: MESSAGES });
    const plain = await client(scenario)
      .send(command())
      .catch((e: unknown) => e);
    instrument(BedrockRuntimeInstrumentation, bedrock, meter);
    const error = (await client(scenario)
      .send(command())
      .catch((e: unknown) => e)) as Error;
    expect(error.name).toBe((plain as Error).name);
    expect(error.constructor).toBe((plain as Error).constructor);
    expect(error.message).toBe((plain as Error).message);
    const c = await collect();
    expect(counts(c, DURATION)).toEqual([[aws(LLAMA, 'chat', { [ERROR_TYPE]: scenario }), 1]]);
  });

  it('a ConverseStream cut after its first event fails with the caller seeing the same error', async () => {
    const { meter, collect } = setup();
    instrument(BedrockRuntimeInstrumentation, bedrock, meter);
    const output = await client('midstream').send(
      new bedrock.ConverseStreamCommand({ modelId: LLAMA, messages: MESSAGES }),
    );
    let events = 0;
    const error = await (async () => {
      for await (const _ of output.stream ?? []) events++;
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(events).toBe(1);
    const c = await collect();
    const [[attributes, count]] = c.histograms(DURATION).map((h) => [h.attributes, h.count]) as [[Attributes, number]];
    expect(count).toBe(1);
    expect(attributes[SERVER_ADDRESS]).toBeUndefined();
    expect(attributes[ERROR_TYPE]).toBe('ERR_HTTP2_STREAM_ERROR');
    expect(tokens(c)).toEqual([]);
  });

  it('other commands and callback calls pass through unrecorded', async () => {
    const { meter, collect } = setup();
    instrument(BedrockRuntimeInstrumentation, bedrock, meter);
    await new Promise<void>((resolve) => {
      client('ok').send(new bedrock.ConverseCommand({ modelId: LLAMA, messages: MESSAGES }), () => resolve());
    });
    await client('ok')
      .send(new bedrock.ListAsyncInvokesCommand({}))
      .catch(() => undefined);
    expect((await collect()).histograms(DURATION)).toEqual([]);
  });
});
