// The operations of the `openai` client that are recorded: where each method lives (as static
// classes of the client, the same in v4 to v7), its `gen_ai.operation.name`, and how its
// results and stream events are read.
import {
  openAIImageEventUsage,
  openAIImageUsage,
  openAIResponseEventUsage,
  openAITranscriptionEventUsage,
  openAITranscriptionUsage,
  openAIUsage,
  speechInputUsage,
} from '@mltel/genai';
import type { ProviderCall } from '@mltel/genai';
import type { CallShape } from './api-promise.js';
import { openAIProviderOf } from './provider-hosts.js';
import { serverOf } from './server.js';

function describeOpenAI(operation: string) {
  return (resource: unknown, params: Record<string, unknown> | undefined): ProviderCall => {
    const client = (resource as { _client?: { baseURL?: unknown } } | undefined)?._client;
    const { serverAddress, serverPort } = serverOf(client?.baseURL);
    const model = params?.['model'];
    return {
      provider: openAIProviderOf(client, serverAddress, serverPort),
      operation,
      model: typeof model === 'string' ? model : undefined,
      serverAddress,
      serverPort,
    };
  };
}

type Event = { type?: unknown } | undefined;

const hasChoices = (chunk: { choices?: unknown[] } | undefined): boolean =>
  Array.isArray(chunk?.choices) && chunk.choices.length > 0;

const CHAT: CallShape<unknown, { choices?: unknown[] }> = {
  describe: describeOpenAI('chat'),
  usage: openAIUsage,
  // The last chunk of a stream with `stream_options.include_usage` carries usage and no choices.
  stream: { usage: openAIUsage, isOutputChunk: hasChoices },
};

const RESPONSES: CallShape<unknown, Event> = {
  describe: describeOpenAI('chat'),
  usage: openAIUsage,
  stream: {
    usage: openAIResponseEventUsage,
    isOutputChunk: (event) => typeof event?.type === 'string' && event.type.endsWith('.delta'),
  },
};

// The legacy Completions API: the OTel `text_completion` operation, streamed like Chat.
const TEXT_COMPLETION: CallShape<unknown, { choices?: unknown[] }> = {
  ...CHAT,
  describe: describeOpenAI('text_completion'),
};

const EMBEDDINGS: CallShape<unknown, unknown> = {
  describe: describeOpenAI('embeddings'),
  usage: openAIUsage,
  stream: {},
};

// Images: a count of images (`ml.gen_ai.images`) and, for GPT Image models, tokens. GPT Image
// models stream partial images, then a `*.completed` event with the usage.
function images(operation: string): CallShape<unknown, Event> {
  return {
    describe: describeOpenAI(operation),
    usage: openAIImageUsage,
    stream: {
      usage: openAIImageEventUsage,
      isOutputChunk: (event) =>
        typeof event?.type === 'string' && (event.type.endsWith('.partial_image') || event.type.endsWith('.completed')),
    },
  };
}

// Speech: the body is audio (read by the caller, not here); what is billed is the characters of
// the input, counted from the request. The call ends when the response headers arrive.
const SPEECH: CallShape<unknown, unknown> = {
  describe: describeOpenAI('speech'),
  usage: () => undefined,
  stream: {},
  requestUsage: (params) => speechInputUsage(params?.['input']),
};

// Transcriptions: billed seconds (`ml.audio.duration`) or tokens; `stream: true` sends
// `transcript.text.delta` events and a `transcript.text.done` with the usage.
const TRANSCRIPTION: CallShape<unknown, Event> = {
  describe: describeOpenAI('transcription'),
  usage: openAITranscriptionUsage,
  stream: { usage: openAITranscriptionEventUsage, isOutputChunk: (event) => event?.type === 'transcript.text.delta' },
};

const TRANSLATION: CallShape<unknown, unknown> = {
  describe: describeOpenAI('translation'),
  usage: openAITranscriptionUsage,
  stream: {},
};

// Moderations report no usage; the response model is recorded.
const MODERATION: CallShape<unknown, unknown> = {
  describe: describeOpenAI('moderation'),
  usage: openAIUsage,
  stream: {},
};

/** One recorded method: the path of its resource class under the client class, the method, how it is read. */
export interface OpenAIOperation {
  readonly path: readonly string[];
  readonly method: string;
  readonly shape: CallShape<unknown, never>;
}

const op = (path: string[], method: string, shape: CallShape<unknown, never>): OpenAIOperation => ({
  path,
  method,
  shape,
});

/** Every method recorded, with its `gen_ai.operation.name`. */
export const OPENAI_OPERATIONS: readonly OpenAIOperation[] = [
  op(['Chat', 'Completions'], 'create', CHAT as CallShape<unknown, never>),
  op(['Responses'], 'create', RESPONSES as CallShape<unknown, never>),
  op(['Completions'], 'create', TEXT_COMPLETION as CallShape<unknown, never>),
  op(['Embeddings'], 'create', EMBEDDINGS as CallShape<unknown, never>),
  op(['Images'], 'generate', images('image_generation') as CallShape<unknown, never>),
  op(['Images'], 'edit', images('image_edit') as CallShape<unknown, never>),
  op(['Images'], 'createVariation', images('image_variation') as CallShape<unknown, never>),
  op(['Audio', 'Speech'], 'create', SPEECH as CallShape<unknown, never>),
  op(['Audio', 'Transcriptions'], 'create', TRANSCRIPTION as CallShape<unknown, never>),
  op(['Audio', 'Translations'], 'create', TRANSLATION as CallShape<unknown, never>),
  op(['Moderations'], 'create', MODERATION as CallShape<unknown, never>),
];

/** The prototype holding an operation's method in the client module's exports, if present. */
export function operationPrototype(exports: unknown, path: readonly string[]): Record<string, unknown> | undefined {
  let holder = ((exports as { OpenAI?: unknown } | undefined)?.OpenAI ??
    (exports as { default?: unknown } | undefined)?.default) as Record<string, unknown> | undefined;
  for (const name of path) {
    const next = holder?.[name];
    holder =
      typeof next === 'function' || (typeof next === 'object' && next !== null)
        ? (next as Record<string, unknown>)
        : undefined;
  }
  const prototype = (holder as { prototype?: unknown } | undefined)?.prototype;
  return typeof prototype === 'object' && prototype !== null ? (prototype as Record<string, unknown>) : undefined;
}
