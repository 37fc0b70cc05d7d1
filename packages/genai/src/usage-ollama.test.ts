import { describe, expect, it } from 'vitest';
import { ollamaUsage } from './usage-ollama.js';

describe('ollamaUsage', () => {
  it('reads the final counts and the model', () => {
    const body = { model: 'llama3', done: true, prompt_eval_count: 17, eval_count: 66, total_duration: 10386172208 };
    expect(ollamaUsage(body)).toEqual({ responseModel: 'llama3', inputTokens: 17, outputTokens: 66 });
  });

  it('a chunk before the end gives the model only; no counts, nothing', () => {
    expect(ollamaUsage({ model: 'llama3', message: { content: 'Why' }, done: false })).toEqual({
      responseModel: 'llama3',
    });
    expect(ollamaUsage({ embedding: [0.1] })).toBeUndefined();
    const hostile = new Proxy(
      {},
      {
        get: () => {
          throw new Error('boom');
        },
      },
    );
    expect(ollamaUsage(hostile)).toBeUndefined();
  });
});
