// A multi-provider generation service in the shape of the teams' (reference service 4): text
// through the real `openai` (plain and streamed) and `@anthropic-ai/sdk` clients against a local
// simulated provider (src/provider.js; no network beyond 127.0.0.1), which mltel's preload
// instruments; image, video and speech generation through `track()`; a circuit breaker in front
// of Anthropic (open after 3 failures in a row, half-open after 5 refused calls) reported with
// provider health. GEN_REQUESTS requests (default 120), then the ground truth, then it keeps
// serving metrics.
//   node --import @mltel/node/register src/service.js
import Anthropic from '@anthropic-ai/sdk';
import { defaultProviderMeter } from '@mltel/genai';
import OpenAI from 'openai';
import { startProvider } from './provider.js';

const REQUESTS = Number(process.env.GEN_REQUESTS ?? 120);
const PACE_MS = Number(process.env.GEN_PACE_MS ?? 20);
const { url } = await startProvider();
const openai = new OpenAI({ apiKey: 'sim', baseURL: `${url}/v1`, maxRetries: 0 });
const anthropic = new Anthropic({ apiKey: 'sim', baseURL: url, maxRetries: 0 });
const llm = defaultProviderMeter();
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** A three-state circuit breaker whose transitions are reported to mltel. */
class Breaker {
  state = 'closed';
  failures = 0;
  refused = 0;
  constructor(provider) {
    this.provider = provider;
    this.set('closed');
  }
  set(state) {
    this.state = state;
    llm.setCircuitState(this.provider, state);
    llm.setStatus(this.provider, state !== 'open');
  }
  async call(fn) {
    if (this.state === 'open') {
      if (++this.refused < 5) throw new Error('circuit open');
      this.refused = 0;
      this.set('half_open');
    }
    try {
      const result = await fn();
      this.failures = 0;
      if (this.state !== 'closed') this.set('closed');
      return result;
    } catch (error) {
      if (++this.failures >= 3 || this.state === 'half_open') this.set('open');
      throw error;
    }
  }
}
const breaker = new Breaker('anthropic');
llm.setStatus('openai', true);

const counts = {
  openai: 0,
  openaiStream: 0,
  anthropicOk: 0,
  anthropicFailed: 0,
  refused: 0,
  images: 0,
  videoSeconds: 0,
  speech: 0,
};
for (let i = 0; i < REQUESTS; i++) {
  const kind = i % 6;
  if (kind === 0) {
    await openai.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: `summarise item ${i}` }],
    });
    counts.openai++;
  } else if (kind === 1) {
    const stream = await openai.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: `stream item ${i}` }],
      stream: true,
      stream_options: { include_usage: true },
    });
    for await (const _ of stream);
    counts.openaiStream++;
  } else if (kind === 2) {
    // Requests 20..39 hit an Anthropic overload: the breaker opens, refuses, half-opens.
    const overloaded = i >= 20 && i < 40;
    try {
      await breaker.call(() =>
        anthropic.messages.create({
          model: 'claude-sonnet-4-20250514',
          max_tokens: 64,
          messages: [{ role: 'user', content: overloaded ? `overload ${i}` : `answer ${i}` }],
        }),
      );
      counts.anthropicOk++;
    } catch (error) {
      if (error.message === 'circuit open') counts.refused++;
      else counts.anthropicFailed++;
    }
  } else if (kind === 3) {
    await llm.track(
      { provider: 'openai', operation: 'image_generation', model: 'dall-e-3' },
      () => sleep(15).then(() => ({ n: 2 })),
      {
        usage: (r) => ({ images: r.n }),
      },
    );
    counts.images += 2;
  } else if (kind === 4) {
    await llm.track(
      { provider: 'openai', operation: 'video_generation', model: 'sora-2' },
      () => sleep(25).then(() => ({ seconds: 4 })),
      {
        usage: (r) => ({ videoSeconds: r.seconds }),
      },
    );
    counts.videoSeconds += 4;
  } else {
    await llm.track(
      { provider: 'openai', operation: 'speech', model: 'tts-1' },
      () => sleep(10).then(() => ({ characters: 120 })),
      {
        usage: (r) => ({ characters: r.characters }),
      },
    );
    counts.speech++;
  }
  await sleep(PACE_MS);
}
console.log(`generation-service: done ${JSON.stringify({ requests: REQUESTS, ...counts })}`);
setInterval(() => {}, 1 << 30);
