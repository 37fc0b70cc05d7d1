import { diag } from '@opentelemetry/api';
import type * as MessagingPackage from '@mltel/instrumentation-messaging';
import type { MessagingMeter } from '@mltel/instrumentation-messaging';
import type { InstrumentationBase } from '@opentelemetry/instrumentation';
import { Starts } from './module-trigger.js';
import { requireEsm } from './require-esm.js';

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

/**
 * A setting in ms, read at start (a bad one is warned about then); undefined when unset or bad:
 * the MessagingMeter's default (MLTEL_QUEUE_JOBS_INTERVAL 10,000, _TIMEOUT 2,000, docs/messaging.md).
 */
function millis(env: Env, name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  const value = Number(raw);
  if (Number.isInteger(value) && value >= 0 && value <= MAX_SETTING_MS) return value;
  diag.warn(
    `mltel: ${name}=${raw.slice(0, 40)} is not a number of milliseconds from 0 to ${MAX_SETTING_MS}; using the default. Fix: set ${name} to a whole number of milliseconds (docs/messaging.md) or unset it.`,
  );
  return undefined;
}

/** The package that each instrumentation patches: it starts when the application first loads it. */
const FIRST_LOAD: Record<MessagingClientName, readonly string[]> = { amqplib: ['amqplib'], bullmq: ['bullmq'] };

/**
 * Starts the broker client auto-instrumentations (`amqplib`, `bullmq`) that the standard variables
 * leave on, recording on the global provider. Each starts when the application first loads its
 * package (./module-trigger.ts, by require() or import, before the package's code runs), and
 * @mltel/instrumentation-messaging is loaded, and the one MessagingMeter both record through
 * created, only then: before that there is nothing to record, and its gauges (connection states,
 * queue job counts) have nothing to report. Both clients are CommonJS (an ES module `import`
 * loads their CommonJS build), so the `require` hook sees them under `--import` and `--require`
 * alike. Returns the function that disables them, those started later included, and cancels the
 * starts still waiting. Never throws: a failure is one warning, and never reaches the
 * application's require() or import.
 */
export function startMessagingInstrumentations(env: Env = process.env): () => void {
  const names = messagingInstrumentationsOf(env);
  if (names.length === 0) return () => {};
  const starts = new Starts();
  let warned = false;
  let meter: MessagingMeter | undefined;
  const options = {
    queueJobsIntervalMs: millis(env, 'MLTEL_QUEUE_JOBS_INTERVAL'),
    queueJobsTimeoutMs: millis(env, 'MLTEL_QUEUE_JOBS_TIMEOUT'),
  };
  const start = (name: MessagingClientName): InstrumentationBase | undefined => {
    try {
      const exports = requireEsm<typeof MessagingPackage>('@mltel/instrumentation-messaging');
      meter ??= new exports.MessagingMeter(options);
      return name === 'amqplib'
        ? new exports.AmqplibInstrumentation({ meter })
        : new exports.BullMQInstrumentation({ meter });
    } catch (error) {
      if (warned) return undefined;
      warned = true;
      diag.warn(
        `mltel: broker client instrumentation is off (${error instanceof Error ? error.message : String(error)}). ` +
          'Fix: set OTEL_NODE_DISABLED_INSTRUMENTATIONS=amqplib,bullmq to silence this.',
      );
      return undefined;
    }
  };
  for (const name of names) starts.onFirstLoad(FIRST_LOAD[name], () => start(name));
  return () => starts.stop();
}
