// The real amqplib against the machine's real RabbitMQ (127.0.0.1:5672, guest/guest), in an app
// preloaded with @mltel/node/register: exact publish and consume counts and body sizes, publish
// errors by error.type, and a connection closed from the broker side (rabbitmqctl, on a vhost of
// this suite's own) counted as an error and a reconnection, with no count lost. ESM under
// --import, CommonJS under --require, and the app's own results unchanged with the
// instrumentation off. Never stops the broker; touches only its own vhost, deleted after.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { cpSync, mkdirSync, realpathSync, symlinkSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, getText, parseExposition, ROOT, spawnChild, tempDir } from './helpers.js';
import type { ScrapedSample } from './helpers.js';

const run = promisify(execFile);
const CLIENTS = join(ROOT, 'packages/instrumentation-messaging/node_modules');
const REGISTER = join(ROOT, 'packages/node/dist/register.js');
const VHOST = `mltel-test-${randomBytes(4).toString('hex')}`;
const HOW_TO_START =
  'RabbitMQ is needed on 127.0.0.1:5672 (guest/guest) with rabbitmqctl on PATH: start it with `service rabbitmq-server start` (Debian package rabbitmq-server) or `docker run -d -p 5672:5672 rabbitmq:4`';

// Debian installs rabbitmqctl in /usr/sbin, which a non-login PATH may lack.
const RABBITMQCTL =
  ['/usr/sbin/rabbitmqctl', '/usr/lib/rabbitmq/bin/rabbitmqctl'].find((p) => existsSync(p)) ?? 'rabbitmqctl';

async function ctl(...args: string[]): Promise<string> {
  const { stdout } = await run(RABBITMQCTL, args, { timeout: 30_000 });
  return stdout;
}

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(2000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => done(true));
  });
}

beforeAll(async () => {
  if (!(await answers(5672))) throw new Error(`no broker answers on 127.0.0.1:5672. ${HOW_TO_START}`);
  try {
    await ctl('add_vhost', VHOST);
    await ctl('set_permissions', '-p', VHOST, 'guest', '.*', '.*', '.*');
  } catch (error) {
    throw new Error(`rabbitmqctl failed (${(error as Error).message.split('\n')[0]}). ${HOW_TO_START}`);
  }
}, 60_000);

afterAll(async () => {
  // The vhost takes its queues and exchanges with it.
  await ctl('delete_vhost', VHOST).catch(() => undefined);
}, 60_000);

interface Seen {
  published: number;
  bytes: number;
  consumed: number;
  consumedBytes: number;
  errors: Record<string, number>;
  acked: number;
  nacked: number;
  connections: number;
  confirmed: number;
}

function appFolder() {
  const dir = tempDir('mltel-amqp-app-');
  cpSync(join(ROOT, 'test/fixtures/messaging-app'), dir.path, { recursive: true });
  mkdirSync(join(dir.path, 'node_modules'), { recursive: true });
  symlinkSync(realpathSync(join(CLIENTS, 'amqplib')), join(dir.path, 'node_modules/amqplib'));
  return dir;
}

async function runApp(
  app: 'amqp-app.mjs' | 'amqp-app.cjs',
  flag: '--import' | '--require',
  queue: string,
  env: NodeJS.ProcessEnv = {},
): Promise<{ seen: Seen; samples: ScrapedSample[]; lost: string }> {
  const dir = appFolder();
  const port = await freePort();
  const child = spawnChild(
    process.execPath,
    [flag, flag === '--import' ? pathToFileURL(REGISTER).href : REGISTER, app],
    {
      cwd: dir.path,
      env: {
        AMQP_URL: `amqp://guest:guest@127.0.0.1:5672/${VHOST}`,
        AMQP_QUEUE: queue,
        OTEL_EXPORTER_PROMETHEUS_PORT: String(port),
        MLTEL_HOST_METRICS: 'false',
        OTEL_LOG_LEVEL: 'warn',
        ...env,
      },
    },
  );
  try {
    await child.waitForLine(/^amqp-app: phase1 /, 20_000);
    // The broker closes every connection of this suite's vhost (CONNECTION_FORCED).
    await ctl('close_all_connections', '-p', VHOST, 'mltel test');
    const lost = await child.waitForLine(/^amqp-app: lost /, 20_000);
    const line = await child.waitForLine(/^amqp-app: done /, 20_000);
    const samples =
      env['OTEL_SDK_DISABLED'] === 'true' ? [] : parseExposition(await getText(`http://127.0.0.1:${port}/metrics`));
    expect(child.stderr()).toBe('');
    return {
      seen: JSON.parse(line.slice(line.indexOf('{'))) as Seen,
      samples,
      lost: JSON.parse(lost.slice(lost.indexOf(' ', 10) + 1)) as string,
    };
  } finally {
    await child.stop();
    dir.remove();
  }
}

function value(samples: ScrapedSample[], name: string, labels: Record<string, string>): number | undefined {
  const found = samples.filter(
    (s) =>
      s.name === name &&
      Object.entries(labels).every(([k, v]) => s.labels[k] === v) &&
      // An absent error_type is asked for by not naming it: only the series without one match.
      ('error_type' in labels || !('error_type' in s.labels)),
  );
  if (found.length > 1) throw new Error(`${name} ${JSON.stringify(labels)}: ${found.length} series`);
  return found[0]?.value;
}

// The fixture sends 4 sizes to the queue (x1) and to an exchange bound to it (x2), twice (once
// before and once after the reconnection).
const SIZES = [10, 100, 1000, 5000];
const QUEUE_BYTES = 2 * SIZES.reduce((a, b) => a + b, 0);

describe.each([
  { app: 'amqp-app.mjs', flag: '--import' },
  { app: 'amqp-app.cjs', flag: '--require' },
] as const)('amqplib in $app under $flag', ({ app, flag }) => {
  let off: Awaited<ReturnType<typeof runApp>>;
  beforeAll(async () => {
    off = await runApp(app, flag, `q-off-${flag.slice(2)}`, { OTEL_NODE_DISABLED_INSTRUMENTATIONS: 'amqplib' });
  }, 90_000);

  it('records exact publish, consume, size, error and reconnection counts; the app sees the same as without it', async () => {
    const queue = `q-${flag.slice(2)}`;
    const { seen, samples, lost } = await runApp(app, flag, queue);
    const exchange = `${queue}-ex`;
    const base = { messaging_system: 'rabbitmq', server_address: '127.0.0.1' };

    // The app's own results and errors do not change with the instrumentation.
    expect(seen).toEqual(off.seen);
    expect(lost).toBe(off.lost);
    expect(seen).toMatchObject({ published: 16, consumed: 16, acked: 12, nacked: 4, connections: 2 });
    expect(seen.errors).toEqual({ TypeError: 1, IllegalOperationError: 1 });
    expect(lost).toBe('320');
    // Nothing recorded with it off.
    expect(off.samples.filter((s) => s.name.startsWith('messaging_') || s.name.startsWith('ml_messaging_'))).toEqual(
      [],
    );

    const sent = 'messaging_client_sent_messages_total';
    const publish = { ...base, messaging_operation_name: 'publish' };
    expect(value(samples, sent, { ...publish, messaging_destination_name: queue })).toBe(8);
    expect(value(samples, sent, { ...publish, messaging_destination_name: exchange })).toBe(8);
    expect(value(samples, sent, { ...publish, messaging_destination_name: queue, error_type: 'TypeError' })).toBe(1);
    expect(
      value(samples, sent, { ...publish, messaging_destination_name: queue, error_type: 'IllegalOperationError' }),
    ).toBe(1);
    expect(
      value(samples, 'messaging_client_operation_duration_seconds_count', {
        ...publish,
        messaging_destination_name: exchange,
      }),
    ).toBe(8);

    // The confirm channel: 3 publishes, 3 broker confirms timed from the publish.
    const confirmQueue = `${queue}-confirm`;
    expect(seen.confirmed).toBe(3);
    expect(value(samples, sent, { ...publish, messaging_destination_name: confirmQueue })).toBe(3);
    expect(
      value(samples, 'messaging_client_operation_duration_seconds_count', {
        ...base,
        messaging_operation_name: 'confirm',
        messaging_destination_name: confirmQueue,
      }),
    ).toBe(3);

    const consumed = { ...base, messaging_destination_name: queue };
    expect(
      value(samples, 'messaging_client_consumed_messages_total', { ...consumed, messaging_operation_name: 'receive' }),
    ).toBe(16);
    expect(
      value(samples, 'messaging_process_duration_seconds_count', { ...consumed, messaging_operation_name: 'process' }),
    ).toBe(16);
    const settled = (op: string) =>
      value(samples, 'messaging_client_operation_duration_seconds_count', {
        ...consumed,
        messaging_operation_name: op,
      });
    expect([settled('ack'), settled('nack')]).toEqual([12, 4]);

    // Sizes: every byte sent and received, exactly (the 1-byte publish on a closed channel is an
    // attempt with a body; the string one has none).
    const size = (op: string, destination: string, part: 'sum' | 'count') =>
      value(samples, `ml_messaging_message_body_size_bytes_${part}`, {
        messaging_system: 'rabbitmq',
        messaging_operation_name: op,
        messaging_destination_name: destination,
      });
    expect(size('publish', queue, 'sum')).toBe(QUEUE_BYTES + 1);
    expect(size('publish', exchange, 'sum')).toBe(2 * QUEUE_BYTES);
    expect(size('receive', queue, 'sum')).toBe(seen.consumedBytes);
    expect(size('receive', queue, 'count')).toBe(16);

    // The broker-side close: one connection error, one reconnection, and connected again.
    expect(value(samples, 'ml_messaging_connection_errors_total', { ...base, error_type: 'CONNECTION_FORCED' })).toBe(
      1,
    );
    expect(value(samples, 'ml_messaging_connection_reconnections_total', base)).toBe(1);
    const state = (s: string) => value(samples, 'ml_messaging_connection_state', { ...base, ml_connection_state: s });
    expect([state('connected'), state('connecting'), state('disconnected')]).toEqual([1, 0, 0]);
  }, 90_000);
});

describe('amqplib with the SDK disabled', () => {
  it('changes nothing for the app', async () => {
    const { seen } = await runApp('amqp-app.mjs', '--import', 'q-disabled', { OTEL_SDK_DISABLED: 'true' });
    expect(seen).toMatchObject({ published: 16, consumed: 16, connections: 2 });
  }, 90_000);
});
