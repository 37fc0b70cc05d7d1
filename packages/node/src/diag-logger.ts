// The diag logger start() installs, unless the application has its own.
import { diag } from '@opentelemetry/api';
import type { DiagLogger, DiagLogLevel } from '@opentelemetry/api';
import { SafeConsoleLogger } from './config/log.js';

// Where @opentelemetry/api 1.x keeps its globals (one object shared by every copy of the API in
// the process, ESM and CommonJS alike); `diag` is set there only by diag.setLogger().
const API_GLOBAL = Symbol.for('opentelemetry.js.api.1');

function registeredLogger(): unknown {
  return (globalThis as Record<symbol, { diag?: unknown } | undefined>)[API_GLOBAL]?.diag;
}

// The logger this module registered last: replacing it (a start() after a shutdown()) is fine.
let ours: unknown;

/**
 * Installs mltel's {@link SafeConsoleLogger} at `logLevel` as the diag logger, unless the
 * application (or another SDK started first) has set one: then that logger and its level are
 * kept, and mltel's messages go through it. The API offers no getter, so this reads the global
 * registration the API itself reads. Returns true when mltel's logger was installed. `logger`:
 * mltel's logger (tests give one writing elsewhere than the console).
 */
export function installDiagLogger(logLevel: DiagLogLevel, logger: DiagLogger = new SafeConsoleLogger()): boolean {
  const current = registeredLogger();
  if (current !== undefined && current !== ours) return false;
  diag.setLogger(logger, { logLevel, suppressOverrideMessage: true });
  ours = registeredLogger();
  return true;
}
