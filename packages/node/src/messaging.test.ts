// The broker client instrumentations as the preload starts them, through the real amqplib (a dev
// dependency of @mltel/instrumentation-messaging) connecting to a closed port on 127.0.0.1.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { diag, metrics } from '@opentelemetry/api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { built, captureDiag, sdkProvider } from '../test/harness.js';
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

// In a child Node process on the build: the first-load triggers register a resolve hook, which in
// the test process would change how vitest loads modules. A hook registered by --import, before
// the script's own imports, records whether @mltel/instrumentation-messaging is resolved.
describe('the broker client instrumentations', () => {
  it('load only when the application requires a client, and patch that first load', { timeout: 30_000 }, () => {
    const record = `import { registerHooks } from 'node:module';
globalThis.loaded = false;
registerHooks({ resolve(specifier, context, next) {
  const result = next(specifier, context);
  if (result.url.includes('/instrumentation-messaging/dist/')) globalThis.loaded = true;
  return result;
} });`;
    const cwd = fileURLToPath(new URL('../../instrumentation-messaging/', import.meta.url));
    const script = `import { startMessagingInstrumentations } from ${JSON.stringify(pathToFileURL(built('messaging')).href)};
import { createRequire } from 'node:module';
const require = createRequire(${JSON.stringify(join(cwd, 'app.cjs'))});
const stop = startMessagingInstrumentations({});
console.log('started', loaded);
require('amqplib');
const connect = () => Object.entries(require.cache).find(([file]) => file.endsWith('/amqplib/lib/connect.js'))[1].exports.connect;
console.log('amqplib', loaded, connect().__wrapped === true);
stop();
console.log('stopped', connect().__wrapped === true);`;
    const result = spawnSync(
      process.execPath,
      ['--import', `data:text/javascript,${encodeURIComponent(record)}`, '--input-type=module', '-e', script],
      { cwd, encoding: 'utf8', timeout: 20_000 },
    );
    expect(result.stderr).toBe('');
    expect(result.stdout.trim().split('\n')).toEqual(['started false', 'amqplib true true', 'stopped false']);
  });
});
