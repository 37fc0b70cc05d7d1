import { diag, DiagLogLevel } from '@opentelemetry/api';
import type { DiagLogger } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { installDiagLogger } from './diag-logger.js';

afterEach(() => diag.disable());

function appLogger(lines: string[]): DiagLogger {
  const push = (m: string) => lines.push(m);
  return { error: push, warn: push, info: push, debug: push, verbose: push };
}

describe('installDiagLogger', () => {
  it("installs mltel's logger at the level when none is set", () => {
    const ours: string[] = [];
    expect(installDiagLogger(DiagLogLevel.WARN, appLogger(ours))).toBe(true);
    diag.warn('mltel: hello');
    diag.info('not at warn');
    expect(ours).toEqual(['mltel: hello']);
  });

  it("keeps the application's own logger and its level", () => {
    const lines: string[] = [];
    const ours: string[] = [];
    diag.setLogger(appLogger(lines), DiagLogLevel.INFO);
    expect(installDiagLogger(DiagLogLevel.ERROR, appLogger(ours))).toBe(false);
    diag.warn('mltel: a problem');
    diag.info('app info');
    expect(lines).toEqual(['mltel: a problem', 'app info']);
    expect(ours).toEqual([]);
  });

  it('replaces its own logger (a start after a shutdown), with the new level', () => {
    const first: string[] = [];
    const second: string[] = [];
    expect(installDiagLogger(DiagLogLevel.WARN, appLogger(first))).toBe(true);
    expect(installDiagLogger(DiagLogLevel.INFO, appLogger(second))).toBe(true);
    diag.info('now at info');
    expect(second).toEqual(['now at info']);
    expect(first).toEqual([]);
  });

  it('after the app disables diag, installs again', () => {
    diag.setLogger(appLogger([]), DiagLogLevel.INFO);
    diag.disable();
    expect(installDiagLogger(DiagLogLevel.WARN, appLogger([]))).toBe(true);
  });
});
