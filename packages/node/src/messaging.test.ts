// The broker client instrumentations as the preload starts them, through the real amqplib (a dev
// dependency of @mltel/instrumentation-messaging) connecting to a closed port on 127.0.0.1.
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { diag, metrics } from '@opentelemetry/api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { captureDiag, sdkProvider } from '../test/harness.js';
import { messagingInstrumentationsOf, startMessagingInstrumentations } from './messaging.js';

const requireFromInstrumentation = createRequire(
  fileURLToPath(new URL('../../instrumentation-messaging/package.json', import.meta.url)),
);

let sdk: ReturnType<typeof sdkProvider>;
let log: ReturnType<typeof captureDiag>;
beforeEach(() => {
  log = captureDiag();
  sdk = sdkProvider();
  metrics.setGlobalMeterProvider(sdk.provider);
});
afterEach(() => {
  metrics.disable();
  diag.disable();
});

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function connectionErrors(): Promise<[unknown, number][]> {
  return (await sdk.collect())
    .points('ml.messaging.connection.errors')
    .map((p) => [p.attributes['error.type'], p.value]);
}

describe('messagingInstrumentationsOf', () => {
  it('follows OTEL_NODE_ENABLED_INSTRUMENTATIONS and OTEL_NODE_DISABLED_INSTRUMENTATIONS, ignoring other names', () => {
    expect(messagingInstrumentationsOf({})).toEqual(['amqplib', 'bullmq']);
    expect(messagingInstrumentationsOf({ OTEL_NODE_DISABLED_INSTRUMENTATIONS: ' bullmq , http' })).toEqual(['amqplib']);
    expect(messagingInstrumentationsOf({ OTEL_NODE_ENABLED_INSTRUMENTATIONS: 'openai,bullmq' })).toEqual(['bullmq']);
    expect(
      messagingInstrumentationsOf({
        OTEL_NODE_ENABLED_INSTRUMENTATIONS: 'amqplib,bullmq',
        OTEL_NODE_DISABLED_INSTRUMENTATIONS: 'amqplib',
      }),
    ).toEqual(['bullmq']);
  });
});

describe('startMessagingInstrumentations', () => {
  it('records amqplib connections until the function it returns is called', async () => {
    const port = await closedPort();
    const stop = startMessagingInstrumentations({ OTEL_NODE_ENABLED_INSTRUMENTATIONS: 'amqplib' });
    const amqp = requireFromInstrumentation('amqplib') as { connect(url: string): Promise<unknown> };
    try {
      await expect(amqp.connect(`amqp://127.0.0.1:${port}`)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
      expect(await connectionErrors()).toEqual([['ECONNREFUSED', 1]]);
    } finally {
      stop();
    }
    await expect(amqp.connect(`amqp://127.0.0.1:${port}`)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    expect(await connectionErrors()).toEqual([['ECONNREFUSED', 1]]);
  });

  it('starts nothing when both are disabled, and warns once about a bad setting', () => {
    const stop = startMessagingInstrumentations({ OTEL_NODE_DISABLED_INSTRUMENTATIONS: 'amqplib,bullmq' });
    expect(stop).toBeTypeOf('function');
    stop();
    const stopAgain = startMessagingInstrumentations({
      OTEL_NODE_ENABLED_INSTRUMENTATIONS: 'bullmq',
      MLTEL_QUEUE_JOBS_INTERVAL: 'soon',
    });
    stopAgain();
    expect(log.warnings).toHaveLength(1);
    expect(log.warnings[0]).toContain('MLTEL_QUEUE_JOBS_INTERVAL=soon');
  });
});
