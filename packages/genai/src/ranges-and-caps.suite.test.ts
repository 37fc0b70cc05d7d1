// Issue 13, findings 6-8 on the provider meter: a throwing `usage` option after a successful call,
// absurd values (1e308) that would make `_sum` +Inf for ever, and caller-controlled attributes
// (`server.port` included) capped per meter.
import { diag } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { captureDiag, DURATION, SERVER_PORT, setup, TOKENS } from '../test/harness.js';
import type { TrackOptions } from './types.js';

const CHAT = { provider: 'openai', operation: 'chat' } as const;

afterEach(() => diag.disable());

describe('track() with a throwing usage option (finding 7)', () => {
  it('resolves with the call’s result, recorded without usage', async () => {
    const { meter, collect } = setup();
    const options = {
      get usage(): never {
        throw new Error('getter');
      },
    } as unknown as TrackOptions<string>;
    await expect(meter.track(CHAT, async () => 'answer', options)).resolves.toBe('answer');
    const c = await collect();
    expect(c.histograms(DURATION).map((h) => h.count)).toEqual([1]);
    expect(c.histograms(TOKENS)).toEqual([]);
  });
});

describe('absurd values (finding 8): dropped with one warning, sums stay finite', () => {
  it('durations, chunk times, tokens, images, audio and video seconds past their maxima', async () => {
    const log = captureDiag();
    const { meter, collect } = setup();
    for (let i = 0; i < 3; i++) {
      meter.record({ ...CHAT, durationSeconds: 1e308 });
      meter.record({
        ...CHAT,
        durationSeconds: 1,
        timeToFirstChunkSeconds: 1e308,
        usage: { inputTokens: 1e308, outputTokens: 1e13, images: 1e308, audioSeconds: 1e8, videoSeconds: 1e308 },
      });
    }
    meter.record({ ...CHAT, durationSeconds: 1e7, usage: { inputTokens: 1e12 } });
    const c = await collect();
    expect(c.histograms(DURATION).map((h) => [h.count, h.sum])).toEqual([[4, 3 + 1e7]]);
    expect(c.sums(TOKENS).map(([, sum]) => sum)).toEqual([1e12]);
    for (const name of ['ml.gen_ai.images', 'ml.audio.duration', 'ml.video.duration'])
      expect(c.points(name)).toEqual([]);
    expect(c.histograms('gen_ai.client.operation.time_to_first_chunk')).toEqual([]);
    expect(log.warnings).toEqual([
      'mltel: durationSeconds must be a number from 0 to 10000000, got number 1e+308; the call is dropped',
      'mltel: timeToFirstChunkSeconds must be a number from 0 to 10000000, got number 1e+308; it is dropped',
      'mltel: usage.inputTokens must be a number from 0 to 1000000000000, got number 1e+308; it is dropped',
      'mltel: usage.outputTokens must be a number from 0 to 1000000000000, got number 10000000000000; it is dropped',
      'mltel: usage.images must be a number from 0 to 1000000000000, got number 1e+308; it is dropped',
      'mltel: usage.audioSeconds must be a number from 0 to 10000000, got number 100000000; it is dropped',
      'mltel: usage.videoSeconds must be a number from 0 to 10000000, got number 1e+308; it is dropped',
    ]);
  });
});

describe('caller-controlled attributes are capped (finding 6)', () => {
  it('server.port: the first 20 distinct ports are kept, later ones left out, one warning', async () => {
    const log = captureDiag();
    const { meter, collect } = setup();
    for (let port = 1; port <= 2000; port++) {
      meter.record({ ...CHAT, serverAddress: 'llm.internal', serverPort: port, durationSeconds: 0.1 });
    }
    const points = (await collect()).histograms(DURATION);
    const ports = new Set(points.map((p) => p.attributes[SERVER_PORT]));
    expect(ports.size).toBe(21); // 20 ports, and the series without one
    expect(points.reduce((n, p) => n + p.count, 0)).toBe(2000);
    expect(log.warnings).toEqual([
      'mltel: more than 20 distinct server.port values; further ports are left out (the call keeps server.address)',
    ]);
  });

  it('100k distinct values through every attribute a caller sets: series stay under the caps', async () => {
    captureDiag();
    const { meter, collect } = setup();
    const N = 100_000;
    for (let i = 0; i < N; i++) {
      meter.record({
        provider: `p${i}`,
        operation: `o${i}`,
        model: `m${i}`,
        serverAddress: `h${i}`,
        serverPort: (i % 65535) + 1,
        durationSeconds: 0.1,
        error: i % 2 === 0 ? { code: `E_${i}` } : undefined,
        usage: { responseModel: `r${i}`, inputTokens: 1 },
      });
    }
    const c = await collect();
    const series = c.histograms(DURATION).length + c.histograms(TOKENS).length;
    // providers 51 x operations 51 x models 201 x servers 51 x ports 21 would be the product; the
    // first values fill the caps together, so the series are bounded by the first ~200 calls.
    expect(series).toBeLessThan(1_000);
    expect(c.histograms(DURATION).reduce((n, p) => n + p.count, 0)).toBe(N);
  });
});
