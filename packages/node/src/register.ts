// Side-effect entry: `node --import @mltel/node/register app.js` (or `--require`). Configured by
// the OTEL_* variables; it never throws into the application (no top-level await, so it also
// loads through require()).
import { start } from './sdk.js';

try {
  start();
} catch (error) {
  // start() reports its own problems; this guards against the unforeseen.
  console.warn(
    `mltel: metrics are off, start-up failed: ${error instanceof Error ? error.message : String(error)}. The application keeps running.`,
  );
}
