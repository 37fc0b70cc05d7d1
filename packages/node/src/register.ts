// Side-effect entry: `node --import @mltel/node/register app.js` (or `--require`). Configured by
// the OTEL_* variables; it never throws into the application (no top-level await, so it also
// loads through require()). With OTEL_SDK_DISABLED=true it loads nothing more: the SDK is
// required only when it will run, so a disabled preload costs the application about nothing.
import { createRequire } from 'node:module';
import { read } from './config/read.js';

const disabled = ['true', '1'].includes(read(process.env, 'OTEL_SDK_DISABLED')?.toLowerCase() ?? '');
try {
  if (!disabled) (createRequire(import.meta.url)('./sdk.js') as typeof import('./sdk.js')).start();
} catch (error) {
  // start() reports its own problems; this guards against the unforeseen.
  console.warn(
    `mltel: metrics are off, start-up failed: ${error instanceof Error ? error.message : String(error)}. The application keeps running.`,
  );
}
