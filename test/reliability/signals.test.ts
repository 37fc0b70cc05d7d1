import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exitWithin, runApp, startReceiver } from './otlp-receiver.js';
import type { Receiver } from './otlp-receiver.js';

// Finding 1 of issue 13: mltel's exit handling must not change how an app ends. The app's own
// signal handlers run exactly once and decide when the process exits; without them the process
// is killed by the signal as it would be without mltel, after the final flush. Each case runs the
// real preload in a child app that counts 7 events, with a 60 s export interval so that only the
// exit flush can deliver them to the receiver.

const APP = `
const { metrics } = await import(process.env.APP_API);
const signal = process.env.APP_SIGNAL;
const mode = process.env.APP_MODE;
const counter = metrics.getMeter('app').createCounter('app.events');
counter.add(7);
const keepAlive = setInterval(() => {}, 1000);
let calls = 0;
if (mode === 'on') {
  process.on(signal, () => {
    calls++;
    console.log('app: handler ' + calls);
    // Recorded during the drain: mltel keeps running until the process ends.
    counter.add(1);
    // A typical drain: stop taking work and let the event loop empty.
    setTimeout(() => clearInterval(keepAlive), 200);
  });
} else if (mode === 'once-drain') {
  process.once(signal, async () => {
    calls++;
    console.log('app: draining ' + calls);
    await new Promise((r) => setTimeout(r, 1500));
    console.log('app: drained');
    process.exit(0);
  });
} else if (mode === 'exit') {
  setTimeout(() => { console.log('app: exiting'); process.exit(3); }, 100);
} else if (mode === 'natural') {
  setTimeout(() => { console.log('app: finished'); clearInterval(keepAlive); }, 100);
}
console.log('app: ready');
`;

interface Case {
  mode: 'none' | 'on' | 'once-drain' | 'exit' | 'natural';
  signal?: 'SIGTERM' | 'SIGINT';
  code: number | null;
  exitSignal: NodeJS.Signals | null;
  /** Lines the app must print exactly once. */
  once: string[];
  /** Whether the events reach the receiver. */
  flushed: boolean;
  /** The events the receiver must see last (7 before the signal, +1 in the 'on' drain). */
  sum?: number;
}

const CASES: Case[] = [];
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  CASES.push(
    { mode: 'none', signal, code: null, exitSignal: signal, once: [], flushed: true },
    { mode: 'on', signal, code: 0, exitSignal: null, once: ['app: handler 1'], flushed: true, sum: 8 },
    {
      mode: 'once-drain',
      signal,
      code: 0,
      exitSignal: null,
      once: ['app: draining 1', 'app: drained'],
      flushed: true,
    },
  );
}
// process.exit() runs no asynchronous work: what the last interval counted is lost, as on
// SIGKILL (documented in docs/node.md).
CASES.push({ mode: 'exit', code: 3, exitSignal: null, once: ['app: exiting'], flushed: false });
CASES.push({ mode: 'natural', code: 0, exitSignal: null, once: ['app: finished'], flushed: true });

describe('the signal matrix under the preload (issue 13, finding 1)', () => {
  let receiver: Receiver;
  beforeAll(async () => {
    receiver = await startReceiver('ok');
  });
  afterAll(async () => {
    await receiver?.close();
  });

  it.each(CASES)('$mode $signal: exit $code/$exitSignal, app handlers once, flushed $flushed', async (c) => {
    const name = `app.events`;
    receiver.reset();
    const before = receiver.requests();
    const app = runApp(APP, {
      APP_MODE: c.mode,
      APP_SIGNAL: c.signal ?? 'SIGTERM',
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.base,
      OTEL_METRIC_EXPORT_INTERVAL: '60000',
      OTEL_SERVICE_NAME: `signals-${c.mode}-${c.signal ?? 'none'}`,
    });
    try {
      await app.child.waitForLine(/^app: ready/, 20_000);
      if (c.signal !== undefined) app.child.process.kill(c.signal);
      const exit = await exitWithin(app, 15_000);
      const stdout = app.child.stdout();
      console.log(`${c.mode} ${c.signal ?? ''}: exit ${exit.code}/${exit.signal} after ${exit.ms} ms`);
      expect({ code: exit.code, signal: exit.signal }).toEqual({ code: c.code, signal: c.exitSignal });
      for (const line of c.once) expect(stdout.split('\n').filter((l) => l === line)).toHaveLength(1);
      expect(stdout).not.toContain('app: handler 2');
      expect(stdout).not.toContain('app: draining 2');
      if (c.flushed) {
        expect(receiver.requests()).toBeGreaterThan(before);
        expect(receiver.lastSum(name)).toBe(c.sum ?? 7);
      } else {
        expect(receiver.requests()).toBe(before);
      }
      expect(app.child.stderr()).toBe('');
    } finally {
      app.child.process.kill('SIGKILL');
      app.remove();
    }
  });
});
