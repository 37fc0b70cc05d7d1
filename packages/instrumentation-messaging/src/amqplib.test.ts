// The amqplib instrumentation's wrappers on stand-ins of amqplib's patched files (the integration
// test runs the real client against a real RabbitMQ), and a check that the files and methods it
// patches exist in the installed amqplib.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { metrics } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { patchFiles, setup } from '../test/harness.js';
import { AmqplibInstrumentation } from './amqplib.js';

afterEach(() => metrics.disable());

// amqplib's `exports` hides its files: they are required by path from its folder.
const requireHere = createRequire(import.meta.url);
const AMQPLIB_DIR = dirname(requireHere.resolve('amqplib'));

type Callback = (error: unknown, connection?: unknown) => void;

class FakeConnection {
  private listeners: ((error?: unknown) => void)[] = [];
  once(event: string, listener: (error?: unknown) => void): void {
    if (event === 'close') this.listeners.push(listener);
  }
  close(error?: unknown): void {
    for (const l of this.listeners.splice(0)) l(error);
  }
}

function fakes() {
  const connect = {
    outcome: null as unknown,
    connect(_url: unknown, _options: unknown, callback: Callback) {
      if (connect.outcome === 'throw') throw new TypeError('Expected amqp: or amqps: as the protocol');
      if (connect.outcome === null) callback(null, new FakeConnection());
      else callback(connect.outcome);
    },
  };
  class Base {
    unconfirmed: (((error: unknown) => void) | undefined)[] = [];
    pushConfirmCallback(callback?: (error: unknown) => void): void {
      this.unconfirmed.push(callback);
    }
  }
  class Channel extends Base {
    connection: unknown;
    sent: unknown[] = [];
    consumers: ((message: unknown) => unknown)[] = [];
    settled: string[] = [];
    constructor(connection: unknown) {
      super();
      this.connection = connection;
    }
    publish(_exchange: string, _routingKey: string, content: unknown): boolean {
      if (!(content instanceof Uint8Array)) throw new TypeError('content is not a buffer');
      this.sent.push(content);
      return true;
    }
    consume(_queue: string, callback: (message: unknown) => unknown): Promise<{ consumerTag: string }> {
      this.consumers.push(callback);
      return Promise.resolve({ consumerTag: 'c1' });
    }
    ack(_message?: unknown): void {
      this.settled.push('ack');
    }
    nack(_message?: unknown): void {
      this.settled.push('nack');
    }
    reject(_message?: unknown): void {
      this.settled.push('reject');
    }
  }
  class ConfirmChannel extends Channel {
    override publish(
      exchange: string,
      routingKey: string,
      content: unknown,
      _options?: unknown,
      callback?: (error: unknown) => void,
    ): boolean {
      const result = super.publish(exchange, routingKey, content);
      this.pushConfirmCallback(callback);
      return result;
    }
  }
  return { connect, Channel, ConfirmChannel, Base };
}

function instrumented() {
  const s = setup();
  const { connect, Channel, ConfirmChannel, Base } = fakes();
  const instrumentation = new AmqplibInstrumentation({ enabled: false, meter: s.meter });
  patchFiles(instrumentation, {
    'amqplib/lib/connect.js': connect,
    'amqplib/lib/channel.js': { Channel: Base },
    'amqplib/lib/channel_model.js': { Channel },
  });
  return { ...s, connect, Channel, ConfirmChannel };
}

describe('AmqplibInstrumentation', () => {
  it('patches files and methods that exist in the installed amqplib', () => {
    const instrumentation = new AmqplibInstrumentation({ enabled: false });
    const [definition] = instrumentation.getModuleDefinitions();
    for (const file of definition!.files) {
      const exports = requireHere(join(AMQPLIB_DIR, file.name.slice('amqplib/'.length))) as Record<string, unknown>;
      if (file.name.endsWith('connect.js')) expect(typeof exports['connect']).toBe('function');
      else if (file.name.endsWith('/channel.js')) {
        const prototype = (exports['Channel'] as { prototype: Record<string, unknown> }).prototype;
        expect(typeof prototype['pushConfirmCallback']).toBe('function');
      } else {
        const prototype = (exports['Channel'] as { prototype: Record<string, unknown> }).prototype;
        for (const method of ['publish', 'consume', 'ack', 'nack', 'reject']) {
          expect(typeof prototype[method], `${file.name} ${method}`).toBe('function');
        }
      }
    }
  });

  it('records connects, failed connects, closes and reconnections per server', async () => {
    const { connect, collect } = instrumented();
    const opened: FakeConnection[] = [];
    const open = () =>
      connect.connect('amqp://user:secret@mq.example:5672/vh', {}, (_e, c) => c && opened.push(c as FakeConnection));
    open();
    opened[0]!.close(Object.assign(new Error('CONNECTION_FORCED - closed via management plugin'), { code: 320 }));
    connect.outcome = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    open();
    connect.outcome = 'throw';
    expect(open).toThrow(TypeError);
    connect.outcome = null;
    open();
    const c = await collect();
    expect(
      c
        .points('ml.messaging.connection.errors')
        .map((p) => [p.attributes['server.address'], p.attributes['error.type'], p.value]),
    ).toEqual([
      ['mq.example', 'CONNECTION_FORCED', 1],
      ['mq.example', 'ECONNREFUSED', 1],
      ['mq.example', 'TypeError', 1],
    ]);
    expect(c.points('ml.messaging.connection.reconnections').map((p) => p.value)).toEqual([1]);
    const state = c.points('ml.messaging.connection.state').find((p) => p.value === 1);
    expect(state?.attributes['ml.connection.state']).toBe('connected');
    // No credential reaches a metric.
    expect(JSON.stringify(c.points('ml.messaging.connection.state'))).not.toContain('secret');
  });

  it('records publishes with sizes and errors; the caller keeps its result and its error', async () => {
    const { connect, Channel, collect } = instrumented();
    let connection: unknown;
    connect.connect('amqp://mq.example', {}, (_e, c) => (connection = c));
    const channel = new Channel(connection);
    expect(channel.publish('ex', 'k', Buffer.alloc(300))).toBe(true);
    expect(channel.publish('', 'jobs', Buffer.alloc(20))).toBe(true);
    expect(() => channel.publish('', 'jobs', 'text')).toThrow('content is not a buffer');
    const c = await collect();
    expect(
      c
        .points('messaging.client.sent.messages')
        .map((p) => [p.attributes['messaging.destination.name'], p.attributes['error.type'], p.value]),
    ).toEqual([
      ['ex', undefined, 1],
      ['jobs', undefined, 1],
      ['jobs', 'TypeError', 1],
    ]);
    expect(c.histograms('ml.messaging.message.body.size').map((h) => h.sum)).toEqual([300, 20]);
    expect(c.histograms('messaging.client.operation.duration')[0]?.attributes['server.address']).toBe('mq.example');
  });

  it('times the confirm of a publish with a callback, from the publish; nacks by name', async () => {
    const { ConfirmChannel, collect } = instrumented();
    const channel = new ConfirmChannel(undefined);
    const outcomes: unknown[] = [];
    channel.publish('', 'jobs', Buffer.alloc(3), {}, (error: unknown) => outcomes.push(error));
    channel.publish('', 'jobs', Buffer.alloc(3), {}, (error: unknown) => outcomes.push(error));
    channel.publish('', 'jobs', Buffer.alloc(3), {});
    channel.unconfirmed[0]!(null);
    channel.unconfirmed[1]!(new Error('message nacked'));
    // No callback given: amqplib is given none.
    expect(channel.unconfirmed[2]).toBeUndefined();
    expect(outcomes).toEqual([null, new Error('message nacked')]);
    const c = await collect();
    expect(
      c
        .histograms('messaging.client.operation.duration')
        .filter((h) => h.attributes['messaging.operation.name'] === 'confirm')
        .map((h) => [h.attributes['error.type'], h.count]),
    ).toEqual([
      [undefined, 1],
      ['nacked', 1],
    ]);
  });

  it('times the consumer callback, sync and async, and attributes acks to the queue', async () => {
    const { Channel, collect } = instrumented();
    const channel = new Channel(undefined);
    let release: () => void = () => {};
    await channel.consume('jobs', (message) => {
      if (message === null) return undefined;
      if ((message as { content: Buffer }).content.length === 1) throw new RangeError('bad message');
      return new Promise<void>((resolve) => (release = resolve));
    });
    const deliver = channel.consumers[0]!;
    const message = { content: Buffer.alloc(64) };
    const returned = deliver(message);
    expect(returned).toBeInstanceOf(Promise);
    expect(() => deliver({ content: Buffer.alloc(1) })).toThrow(RangeError);
    expect(deliver(null)).toBeUndefined();
    channel.ack(message);
    channel.nack({ content: Buffer.alloc(1) });
    let c = await collect();
    expect(c.histograms('messaging.process.duration').map((h) => [h.attributes['error.type'], h.count])).toEqual([
      ['RangeError', 1],
    ]);
    release();
    await returned;
    c = await collect();
    expect(c.histograms('messaging.process.duration').map((h) => h.count)).toEqual([1, 1]);
    expect(c.points('messaging.client.consumed.messages').map((p) => p.value)).toEqual([2]);
    expect(
      c
        .histograms('messaging.client.operation.duration')
        .map((h) => [h.attributes['messaging.operation.name'], h.attributes['messaging.destination.name']]),
    ).toEqual([
      ['ack', 'jobs'],
      ['nack', undefined],
    ]);
    expect(channel.settled).toEqual(['ack', 'nack']);
  });

  it('leaves a rejected consumer promise unhandled, as it was without mltel', async () => {
    const { Channel } = instrumented();
    const channel = new Channel(undefined);
    await channel.consume('jobs', async () => {
      throw new SyntaxError('async failure');
    });
    const seen: unknown[] = [];
    const onUnhandled = (reason: unknown) => seen.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const returned = channel.consumers[0]!({ content: Buffer.alloc(1) }) as Promise<unknown>;
      // The app did not handle its own promise: neither do we.
      returned.catch(() => {});
      await new Promise((resolve) => setTimeout(resolve, 20));
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    expect(seen.map((e) => (e as Error).message)).toEqual(['async failure']);
  });
});
