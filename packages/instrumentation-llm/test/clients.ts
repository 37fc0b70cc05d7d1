// Shared set-up of the tests of the newer model-client instrumentations: the replay server of
// test/integration/llm-replay-clients.ts for the file's tests, diag errors failing each test, and
// compact views of the recorded points without the server attributes.
import { diag } from '@opentelemetry/api';
import type { Attributes } from '@opentelemetry/api';
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import { startClientReplayServer } from '../../../test/integration/llm-replay-clients.js';
import type { ClientReplayServer } from '../../../test/integration/llm-replay-clients.js';
import { captureDiag, SERVER_ADDRESS, SERVER_PORT, TOKENS } from './harness.js';
import type { Collection } from './harness.js';

/** Starts the replay server for the file's tests; returns its getter. */
export function useClientReplay(): () => ClientReplayServer {
  let replay: ClientReplayServer | undefined;
  beforeAll(async () => {
    replay = await startClientReplayServer();
  });
  afterAll(async () => {
    await replay?.close();
  });
  return () => {
    if (replay === undefined) throw new Error('the replay server is not started yet');
    return replay;
  };
}

/** Captures diag output for each test and fails it on any diag error; returns the current log. */
export function useDiagLog(): () => ReturnType<typeof captureDiag> {
  let log: ReturnType<typeof captureDiag> | undefined;
  beforeEach(() => {
    log = captureDiag();
  });
  afterEach(() => {
    expect(log?.errors).toEqual([]);
    diag.disable();
  });
  return () => {
    if (log === undefined) throw new Error('diag is captured in tests only');
    return log;
  };
}

function withoutServer<T>(points: [Attributes, T][]): [Attributes, T][] {
  return points.map(([attributes, value]) => {
    const { [SERVER_ADDRESS]: _address, [SERVER_PORT]: _port, ...rest } = attributes;
    return [rest, value];
  });
}

/** `[attributes without server, count]` of each point of a histogram. */
export function countsOf(c: Collection, name: string): [Attributes, number][] {
  return withoutServer(c.histograms(name).map((h) => [h.attributes, h.count]));
}

/** `[attributes without server, sum]` of each token-usage point. */
export function tokensOf(c: Collection): [Attributes, number][] {
  return withoutServer(c.sums(TOKENS));
}
