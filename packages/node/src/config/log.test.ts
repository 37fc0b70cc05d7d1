import type { DiagLogger } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { MAX_LOG_LINE_CHARS, SafeConsoleLogger } from './log.js';

function sink(): { logger: DiagLogger; lines: unknown[][] } {
  const lines: unknown[][] = [];
  const log = (...args: unknown[]): void => void lines.push(args);
  return { logger: { error: log, warn: log, info: log, debug: log, verbose: log }, lines };
}

describe('SafeConsoleLogger', () => {
  it('redacts credentials in the message and in string and error arguments', () => {
    const { logger, lines } = sink();
    new SafeConsoleLogger(logger).warn(
      "Could not parse URL: 'http://u:pw-123@c?api_key=K-9'",
      'token=T-1 at http://x:y@h',
      new Error('to http://a:pw-456@b'),
    );
    const written = lines.flat().map(String).join(' ');
    for (const secret of ['pw-123', 'K-9', 'T-1', 'pw-456', ':y@']) expect(written).not.toContain(secret);
    expect(written).toContain('http://***@c?api_key=***');
  });

  it('escapes terminal controls, keeps newlines', () => {
    const { logger, lines } = sink();
    new SafeConsoleLogger(logger).warn('path "/x\u001b[2J\r\u202e"\nnext');
    expect(lines[0]![0]).toBe('path "/x\\x1b[2J\\x0d\\u202e"\nnext');
  });

  it('cuts a huge line', () => {
    const { logger, lines } = sink();
    new SafeConsoleLogger(logger).error('x'.repeat(1_000_000));
    expect(String(lines[0]![0]).length).toBeLessThan(MAX_LOG_LINE_CHARS + 20);
  });

  it('takes an Error or another value as the message without throwing (upstream passes them)', () => {
    const { logger, lines } = sink();
    const safeLogger = new SafeConsoleLogger(logger);
    // @opentelemetry/exporter-prometheus logs its listen failure as diag.error(error).
    safeLogger.error(new Error('listen EADDRINUSE http://u:pw-9@h') as unknown as string);
    safeLogger.warn({ code: 1 } as unknown as string);
    safeLogger.info(undefined as unknown as string);
    expect(String(lines[0]![0])).toMatch(/^Error: listen EADDRINUSE http:\/\/\*\*\*@h/);
    expect(lines[1]![0]).toBe('[object Object]');
    expect(lines[2]![0]).toBe('undefined');
  });

  it('writes to the console by default', () => {
    expect(() => new SafeConsoleLogger().verbose('ok')).not.toThrow();
  });
});
