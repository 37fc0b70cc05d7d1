import { bedrockConverseStreamUsage, bedrockConverseUsage, bedrockInvokeUsage } from '@mltel/genai';
import type { ProviderCall, ProviderMeter } from '@mltel/genai';
import { MLTEL_VERSION } from '@mltel/kit';
import { instrumentAsync } from './async-method.js';
import type { AsyncCallShape } from './async-method.js';
import { LlmInstrumentation } from './llm-instrumentation.js';
import type { LlmInstrumentationConfig } from './types.js';

/** The `@aws-sdk/client-bedrock-runtime` versions patched (the modular v3 SDK). */
export const BEDROCK_RUNTIME_SUPPORTED_VERSIONS = ['>=3.400.0 <4'];

type Kind = 'converse' | 'converseStream' | 'invoke' | 'invokeStream';
const COMMANDS: Record<Kind, string> = {
  converse: 'ConverseCommand',
  converseStream: 'ConverseStreamCommand',
  invoke: 'InvokeModelCommand',
  invokeStream: 'InvokeModelWithResponseStreamCommand',
};

function describe(kind: Kind) {
  // No server.address: the client holds its endpoint and region only as async providers.
  return (_self: unknown, args: readonly unknown[]): ProviderCall | undefined => {
    // send(command, options, callback): a callback call returns no promise to observe.
    if (args.some((arg) => typeof arg === 'function')) return undefined;
    const modelId = (args[0] as { input?: { modelId?: unknown } } | undefined)?.input?.modelId;
    const model = typeof modelId === 'string' && modelId !== '' ? modelId : undefined;
    const embeddings = (kind === 'invoke' || kind === 'invokeStream') && model !== undefined && /embed/i.test(model);
    return {
      provider: 'aws.bedrock',
      operation: embeddings ? 'embeddings' : 'chat',
      model,
    };
  };
}

/** The AWS SDK's service errors carry the HTTP status in `$metadata`; network errors their code. */
function failure(error: unknown): unknown {
  const status = (error as { $metadata?: { httpStatusCode?: unknown } } | undefined)?.$metadata?.httpStatusCode;
  return typeof status === 'number' && Number.isInteger(status) && status >= 400 && status <= 599
    ? String(status)
    : error;
}

const decoder = new TextDecoder();
// Each streamed InvokeModel chunk is JSON in `chunk.bytes`; parsed once for usage and output.
const parsed = new WeakMap<object, unknown>();

function json(bytes: unknown): unknown {
  if (!(bytes instanceof Uint8Array) || bytes.byteLength > 1_048_576) return undefined;
  try {
    return JSON.parse(decoder.decode(bytes));
  } catch {
    return undefined;
  }
}

function chunkJson(event: unknown): unknown {
  const chunk = (event as { chunk?: { bytes?: unknown } } | undefined)?.chunk;
  if (typeof chunk !== 'object' || chunk === null) return undefined;
  if (!parsed.has(chunk)) parsed.set(chunk, json(chunk.bytes));
  return parsed.get(chunk);
}

/** Whether a streamed InvokeModel chunk carries output, in the shape of its model family. */
function invokeChunkHasOutput(event: unknown): boolean {
  const body = chunkJson(event) as Record<string, unknown> | undefined;
  if (body === undefined || body === null) return false;
  if (body['type'] !== undefined) return body['type'] === 'content_block_delta';
  return ['generation', 'outputText', 'completion', 'contentBlockDelta'].some(
    (key) => body[key] !== undefined && body[key] !== '',
  );
}

const SHAPES: Record<Kind, AsyncCallShape<Record<string, unknown>, unknown>> = {
  converse: { describe: describe('converse'), failure, usage: bedrockConverseUsage },
  converseStream: {
    describe: describe('converseStream'),
    failure,
    stream: {
      of: (output) => output['stream'] as AsyncIterable<unknown> | undefined,
      options: {
        usage: bedrockConverseStreamUsage,
        isOutputChunk: (event) =>
          (event as { contentBlockDelta?: unknown } | undefined)?.contentBlockDelta !== undefined,
      },
    },
  },
  invoke: {
    describe: describe('invoke'),
    failure,
    // The body is bytes: parsed here (a copy) when it is JSON, as every text model answers.
    usage: (output) =>
      /json/i.test(String(output['contentType'])) ? bedrockInvokeUsage(json(output['body'])) : undefined,
  },
  invokeStream: {
    describe: describe('invokeStream'),
    failure,
    stream: {
      of: (output) => output['body'] as AsyncIterable<unknown> | undefined,
      options: { usage: (event) => bedrockInvokeUsage(chunkJson(event)), isOutputChunk: invokeChunkHasOutput },
    },
  },
};

type Send = (...args: unknown[]) => unknown;

/**
 * Records the Converse, ConverseStream, InvokeModel and InvokeModelWithResponseStream calls of
 * `@aws-sdk/client-bedrock-runtime` (the client's `send(command)`, which `BedrockRuntime`'s
 * methods call too), streaming included, one record per operation (the SDK's retries inside it).
 * InvokeModel usage is read from the Anthropic, Meta and Amazon model families' bodies, and from
 * the `amazon-bedrock-invocationMetrics` every streamed answer ends with. Never records text or
 * credentials.
 */
export class BedrockRuntimeInstrumentation extends LlmInstrumentation {
  constructor(config: LlmInstrumentationConfig = {}) {
    super('@mltel/instrumentation-llm/bedrock-runtime', MLTEL_VERSION, config);
  }

  protected init() {
    return this.hookModule('@aws-sdk/client-bedrock-runtime', BEDROCK_RUNTIME_SUPPORTED_VERSIONS, (exports) => {
      const e = exports as Record<string, { prototype?: Record<string, unknown> } | undefined>;
      const classes = (Object.keys(COMMANDS) as Kind[]).map((kind) => [kind, e[COMMANDS[kind]]] as const);
      const kindOf = (command: unknown): Kind | undefined => {
        for (const [kind, Command] of classes) {
          if (typeof Command === 'function' && command instanceof Command) return kind;
        }
        return undefined;
      };
      const meter = this.providerMeter;
      return [
        {
          holder: e['BedrockRuntimeClient']?.prototype,
          method: 'send',
          wrap: (original: Send) => sendRecorder(original, meter, kindOf),
        },
      ];
    });
  }
}

function sendRecorder(
  original: Send,
  meter: () => ProviderMeter,
  kindOf: (command: unknown) => Kind | undefined,
): Send {
  const recorded = Object.fromEntries(
    (Object.keys(SHAPES) as Kind[]).map((kind) => [kind, instrumentAsync(original, meter, SHAPES[kind])]),
  ) as Record<Kind, Send>;
  return function send(this: unknown, ...args: unknown[]): unknown {
    let kind: Kind | undefined;
    try {
      kind = kindOf(args[0]);
    } catch {
      kind = undefined;
    }
    return (kind === undefined ? original : recorded[kind]).apply(this, args);
  };
}
