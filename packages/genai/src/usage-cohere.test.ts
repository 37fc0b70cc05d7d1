import { describe, expect, it } from 'vitest';
import { cohereUsage } from './usage-cohere.js';

describe('cohereUsage', () => {
  it('v2 chat, client shape: billed units', () => {
    const body = {
      usage: { billedUnits: { inputTokens: 7, outputTokens: 88 }, tokens: { inputTokens: 69, outputTokens: 89 } },
    };
    expect(cohereUsage(body)).toEqual({ inputTokens: 7, outputTokens: 88 });
  });

  it('v2 stream message-end, API shape', () => {
    const event = {
      type: 'message-end',
      delta: {
        finish_reason: 'COMPLETE',
        usage: { billed_units: { input_tokens: 7, output_tokens: 109 }, tokens: { input_tokens: 69 } },
      },
    };
    expect(cohereUsage(event)).toEqual({ inputTokens: 7, outputTokens: 109 });
  });

  it('embed meta and v1 stream-end; raw tokens when nothing is billed', () => {
    expect(cohereUsage({ meta: { billedUnits: { inputTokens: 208 } } })).toEqual({ inputTokens: 208 });
    expect(
      cohereUsage({ eventType: 'stream-end', response: { meta: { tokens: { inputTokens: 5, outputTokens: 9 } } } }),
    ).toEqual({
      inputTokens: 5,
      outputTokens: 9,
    });
  });

  it('anything else reports nothing and never throws', () => {
    expect(cohereUsage({ type: 'content-delta', delta: { message: {} } })).toBeUndefined();
    expect(cohereUsage(undefined)).toBeUndefined();
    const hostile = new Proxy(
      {},
      {
        get: () => {
          throw new Error('boom');
        },
      },
    );
    expect(cohereUsage(hostile)).toBeUndefined();
  });
});
