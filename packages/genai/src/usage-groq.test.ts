import { describe, expect, it } from 'vitest';
import { groqUsage } from './usage-groq.js';

describe('groqUsage', () => {
  it('reads a chat completion usage', () => {
    const body = {
      model: 'llama3-8b-8192',
      usage: { prompt_tokens: 18, completion_tokens: 43, total_tokens: 61 },
      x_groq: { id: 'req_1' },
    };
    expect(groqUsage(body)).toEqual({ responseModel: 'llama3-8b-8192', inputTokens: 18, outputTokens: 43 });
  });

  it('reads the last stream chunk usage under x_groq', () => {
    const chunk = {
      model: 'llama3-8b-8192',
      choices: [{ delta: {}, finish_reason: 'stop' }],
      x_groq: { id: 'req_1', usage: { prompt_tokens: 18, completion_tokens: 73, total_tokens: 91 } },
    };
    expect(groqUsage(chunk)).toEqual({ responseModel: 'llama3-8b-8192', inputTokens: 18, outputTokens: 73 });
  });

  it('a chunk without usage gives the model only; anything else nothing', () => {
    expect(groqUsage({ model: 'llama3-8b-8192', choices: [] })).toEqual({ responseModel: 'llama3-8b-8192' });
    expect(groqUsage('x')).toBeUndefined();
    const hostile = new Proxy(
      {},
      {
        get: () => {
          throw new Error('boom');
        },
      },
    );
    expect(groqUsage(hostile)).toBeUndefined();
  });
});
