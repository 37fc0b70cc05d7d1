import { diag } from '@opentelemetry/api';
import {
  AmqplibInstrumentation,
  BullMQInstrumentation,
  DEFAULT_QUEUE_JOBS_INTERVAL_MS,
  DEFAULT_QUEUE_JOBS_TIMEOUT_MS,
  MessagingMeter,
} from '@mltel/instrumentation-messaging';
import type { InstrumentationBase } from '@opentelemetry/instrumentation';

/** A broker client auto-instrumentation (`OTEL_NODE_ENABLED_INSTRUMENTATIONS` / `..._DISABLED_...` names). */
export type MessagingClientName = 'amqplib' | 'bullmq';

const CLIENTS: readonly MessagingClientName[] = ['amqplib', 'bullmq'];
// Bounds of MLTEL_QUEUE_JOBS_INTERVAL and MLTEL_QUEUE_JOBS_TIMEOUT (ms): a read of job counts per
// queue at most every interval, each waited for at most the timeout at collection.
const MAX_SETTING_MS = 3_600_000;

type Env = Readonly<Record<string, string | undefined>>;

function listOf(env: Env, name: string): string[] | undefined {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  return raw
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/** The messaging instrumentations the standard variables enable (names of other instrumentations are ignored). */
export function messagingInstrumentationsOf(env: Env): MessagingClientName[] {
  const enabled = listOf(env, 'OTEL_NODE_ENABLED_INSTRUMENTATIONS');
  const disabled = new Set(listOf(env, 'OTEL_NODE_DISABLED_INSTRUMENTATIONS') ?? []);
  return CLIENTS.filter((name) => (enabled === undefined || enabled.includes(name)) && !disabled.has(name));
}

function millis(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (Number.isInteger(value) && value >= 0 && value <= MAX_SETTING_MS) return value;
  diag.warn(
    `mltel: ${name}=${raw.slice(0, 40)} is not a number of milliseconds from 0 to ${MAX_SETTING_MS}; using ${fallback}. Fix: set ${name}=${fallback} or unset it.`,
  );
  return fallback;
}

/**
 * Starts the broker client auto-instrumentations (`amqplib`, `bullmq`) that the standard variables
 * leave on, recording on the global provider. Both clients are CommonJS (an ES module `import`
 * loads their CommonJS build), so the `require` hook sees them under `--import` and `--require`
 * alike. Returns the function that disables them. Never throws.
 */
export function startMessagingInstrumentations(env: Env = process.env): () => void {
  const names = messagingInstrumentationsOf(env);
  if (names.length === 0) return () => {};
  const instrumentations: InstrumentationBase[] = [];
  try {
    const meter = new MessagingMeter({
      queueJobsIntervalMs: millis(env, 'MLTEL_QUEUE_JOBS_INTERVAL', DEFAULT_QUEUE_JOBS_INTERVAL_MS),
      queueJobsTimeoutMs: millis(env, 'MLTEL_QUEUE_JOBS_TIMEOUT', DEFAULT_QUEUE_JOBS_TIMEOUT_MS),
    });
    for (const name of names) {
      instrumentations.push(
        name === 'amqplib' ? new AmqplibInstrumentation({ meter }) : new BullMQInstrumentation({ meter }),
      );
    }
  } catch (error) {
    diag.warn(
      `mltel: broker client instrumentation is off (${error instanceof Error ? error.message : String(error)}). ` +
        'Fix: set OTEL_NODE_DISABLED_INSTRUMENTATIONS=amqplib,bullmq to silence this.',
    );
  }
  return () => {
    for (const instrumentation of instrumentations) instrumentation.disable();
  };
}
