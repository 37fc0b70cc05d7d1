import { metrics } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { captureDiag, setup } from '../test/harness.js';
import { errorTypeFor, MAX_DESTINATIONS } from './messaging-meter.js';

afterEach(() => metrics.disable());

const RABBIT = { system: 'rabbitmq', operation: 'publish', destination: 'jobs', server: 'mq.local' };

describe('MessagingMeter', () => {
  it('records sent, consumed, sizes, durations and retries with the catalog attributes', async () => {
    const { meter, collect } = setup();
    meter.sent(RABBIT, 1, undefined, 100);
    meter.sent(RABBIT, 2, new TypeError('x'), 5);
    meter.operation(RABBIT, 0.25);
    meter.consumed({ ...RABBIT, operation: 'receive' }, 7);
    meter.processed({ ...RABBIT, operation: 'process' }, 1.5, new Error('boom'));
    meter.publishRetry(RABBIT);
    meter.sent({ ...RABBIT, destination: '' });
    const c = await collect();
    const base = {
      'messaging.system': 'rabbitmq',
      'messaging.operation.name': 'publish',
      'messaging.destination.name': 'jobs',
      'server.address': 'mq.local',
    };
    expect(c.points('messaging.client.sent.messages')).toEqual([
      { attributes: { ...base, 'messaging.destination.name': 'amq.default' }, value: 1 },
      { attributes: base, value: 1 },
      { attributes: { ...base, 'error.type': 'TypeError' }, value: 2 },
    ]);
    expect(
      c
        .histograms('ml.messaging.message.body.size')
        .map((h) => [h.attributes['messaging.operation.name'], h.count, h.sum]),
    ).toEqual([
      ['publish', 2, 105],
      ['receive', 1, 7],
    ]);
    expect(c.histograms('messaging.client.operation.duration').map((h) => h.sum)).toEqual([0.25]);
    expect(c.histograms('messaging.process.duration')[0]?.attributes['error.type']).toBe('Error');
    expect(c.points('ml.messaging.publish.retries')).toEqual([{ attributes: base, value: 1 }]);
  });

  it('tracks the link to each server: connecting, connected, lost with an error, reconnected', async () => {
    const { meter, collect } = setup();
    const states = async () =>
      Object.fromEntries(
        (await collect())
          .points('ml.messaging.connection.state')
          .map((p) => [p.attributes['ml.connection.state'], p.value]),
      );
    const end = meter.connecting('rabbitmq', 'mq.local');
    expect(await states()).toEqual({ connected: 0, connecting: 1, disconnected: 0 });
    end(null);
    end(new Error('twice')); // ignored: an attempt ends once
    expect(await states()).toEqual({ connected: 1, connecting: 0, disconnected: 0 });
    meter.closed('rabbitmq', 'mq.local', Object.assign(new Error('forced'), { code: 320 }));
    expect(await states()).toEqual({ connected: 0, connecting: 0, disconnected: 1 });
    meter.connecting('rabbitmq', 'mq.local')(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }));
    meter.connecting('rabbitmq', 'mq.local')(null);
    // A clean close (the app's own) is not lost: the next open is not a reconnection.
    meter.closed('rabbitmq', 'mq.local');
    meter.connecting('rabbitmq', 'mq.local')(null);
    const c = await collect();
    expect(c.points('ml.messaging.connection.reconnections').map((p) => p.value)).toEqual([1]);
    expect(c.points('ml.messaging.connection.errors').map((p) => [p.attributes['error.type'], p.value])).toEqual([
      ['CONNECTION_FORCED', 1],
      ['ECONNREFUSED', 1],
    ]);
  });

  it(`caps destinations at ${MAX_DESTINATIONS} and drops bad durations with one warning`, async () => {
    const diag = captureDiag();
    const { meter, collect } = setup();
    for (let i = 0; i <= MAX_DESTINATIONS; i++) meter.sent({ ...RABBIT, destination: `q${i}` });
    meter.operation(RABBIT, Number.NaN);
    meter.operation(RABBIT, -1);
    const c = await collect();
    const names = c.points('messaging.client.sent.messages').map((p) => p.attributes['messaging.destination.name']);
    expect(names).toHaveLength(MAX_DESTINATIONS + 1);
    expect(names).toContain('_OTHER');
    expect(c.histograms('messaging.client.operation.duration')).toEqual([]);
    expect(diag.warnings.filter((w) => w.includes('operation duration'))).toHaveLength(1);
  });
});

describe('errorTypeFor', () => {
  it('names AMQP reply codes, errno codes and error classes; never throws', () => {
    expect(errorTypeFor(Object.assign(new Error('x'), { code: 320 }))).toBe('CONNECTION_FORCED');
    expect(errorTypeFor(Object.assign(new Error('x'), { code: 406 }))).toBe('PRECONDITION_FAILED');
    expect(errorTypeFor(Object.assign(new Error('x'), { code: 'ECONNRESET' }))).toBe('ECONNRESET');
    expect(errorTypeFor(new RangeError('x'))).toBe('RangeError');
    expect(errorTypeFor({ name: 'has spaces in it' })).toBe('Error');
    expect(errorTypeFor(42)).toBe('_OTHER');
    const hostile = new Proxy(
      {},
      {
        get() {
          throw new Error('nope');
        },
      },
    );
    expect(errorTypeFor(hostile)).toBe('_OTHER');
  });
});
