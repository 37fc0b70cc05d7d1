// Per-request CPU of the HTTP server instrumentations, in one process: a node:http server that
// answers at once, driven by raw keep-alive sockets (no HTTP client, so nothing instrumented on
// the client side), with each variant enabled in turn for a block of requests, blocks alternating
// round by round. Process CPU time per request (user + system), so waiting for a core on a
// shared machine costs nothing; the difference to the uninstrumented blocks is the cost.
//   none      nothing enabled
//   dc        mltel's diagnostics-channel metrics (packages/node/src/http-metrics.ts)
//   contrib   @opentelemetry/instrumentation-http with an AsyncLocalStorage context manager, as
//             the preload runs it when spans are wanted (MLTEL_HTTP_INSTRUMENTATION=contrib)
//   runtime-node  @opentelemetry/instrumentation-runtime-node (event-loop delay sampling, a GC
//             observer): no per-request code, its timers and GC entries spread over requests
// All record on an SDK MeterProvider. Run: `node src/http/instrumentation-cost.js`
// (BENCH_ROUNDS, BENCH_REQUESTS per block). Prints Markdown.
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';

const loadBefore = os
  .loadavg()
  .map((l) => l.toFixed(2))
  .join(' ');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 9);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 4000);
const SOCKETS = 8;

// The packages as the preload loads them: @mltel/node's own dependencies.
const nodePackage = import.meta.resolve('@mltel/node/package.json');
const fromNode = createRequire(nodePackage);
const { context } = fromNode('@opentelemetry/api');
const { MeterProvider, MetricReader } = fromNode('@opentelemetry/sdk-metrics');
const { AsyncLocalStorageContextManager } = fromNode('@opentelemetry/context-async-hooks');
const { HttpInstrumentation } = fromNode('@opentelemetry/instrumentation-http');
const { RuntimeNodeInstrumentation } = fromNode('@opentelemetry/instrumentation-runtime-node');
// Not exported by @mltel/node: its built file.
const { HttpMetricsInstrumentation } = await import(new URL('dist/http-metrics.js', nodePackage).href);

class Reader extends MetricReader {
  async onForceFlush() {}
  async onShutdown() {}
}
const reader = new Reader();
const provider = new MeterProvider({ readers: [reader] });
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
const contrib = new HttpInstrumentation();
contrib.setMeterProvider(provider);
// The require hook patches node:http as it is loaded (then enable() and disable() toggle it).
const http = fromNode('node:http');
contrib.disable();
const dc = new HttpMetricsInstrumentation();
dc.setMeterProvider(provider);
dc.disable();
const runtime = new RuntimeNodeInstrumentation();
runtime.setMeterProvider(provider);
runtime.disable();

const server = http.createServer((_request, response) => {
  response.writeHead(200, { 'content-type': 'application/json' });
  response.end('{"ok":true}');
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const { port } = server.address();

const REQUEST = Buffer.from('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
const sockets = await Promise.all(
  Array.from({ length: SOCKETS }, () => {
    const socket = net.connect(port, '127.0.0.1');
    socket.setNoDelay(true);
    return new Promise((resolve) => socket.once('connect', () => resolve(socket)));
  }),
);

/** Sends `count` requests, one in flight per socket; resolves when all are answered. */
function drive(count) {
  return new Promise((resolve) => {
    let sent = 0;
    let answered = 0;
    for (const socket of sockets) {
      socket.removeAllListeners('data');
      socket.on('data', (chunk) => {
        // One response per chunk here (small, answered one at a time on each socket).
        for (let i = chunk.indexOf('HTTP/1.1 '); i !== -1; i = chunk.indexOf('HTTP/1.1 ', i + 1)) {
          answered++;
          if (sent < count) {
            sent++;
            socket.write(REQUEST);
          }
        }
        if (answered === count) resolve();
      });
      if (sent < count) {
        sent++;
        socket.write(REQUEST);
      }
    }
  });
}

const VARIANTS = {
  none: { on: () => {}, off: () => {} },
  dc: { on: () => dc.enable(), off: () => dc.disable() },
  contrib: { on: () => contrib.enable(), off: () => contrib.disable() },
  'runtime-node': { on: () => runtime.enable(), off: () => runtime.disable() },
};

await drive(REQUESTS); // warm-up, uninstrumented
for (const v of Object.values(VARIANTS)) {
  v.on();
  await drive(REQUESTS / 2);
  v.off();
}
const results = Object.fromEntries(Object.keys(VARIANTS).map((name) => [name, []]));
const names = Object.keys(VARIANTS);
for (let r = 0; r < ROUNDS; r++) {
  const order = [...names.slice(r % names.length), ...names.slice(0, r % names.length)];
  for (const name of order) {
    VARIANTS[name].on();
    const t0 = process.cpuUsage();
    await drive(REQUESTS);
    const t = process.cpuUsage(t0);
    VARIANTS[name].off();
    results[name].push((t.user + t.system) / REQUESTS);
  }
}

const median = (values) => {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
console.log(
  `load average before: ${loadBefore}; after: ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
console.log(
  `${ROUNDS} rounds of ${REQUESTS} requests per variant, ${SOCKETS} keep-alive sockets, in-process client.\n`,
);
console.log('| variant | CPU µs per request (median) | over uninstrumented (median of in-round differences, range) |');
console.log('|---|---:|---:|');
for (const name of names) {
  const diffs = results[name].map((x, i) => x - results.none[i]);
  console.log(
    `| ${name} | ${median(results[name]).toFixed(1)} | ${name === 'none' ? '' : `${median(diffs) >= 0 ? '+' : ''}${median(diffs).toFixed(1)} (${Math.min(...diffs).toFixed(1)} – ${Math.max(...diffs).toFixed(1)})`} |`,
  );
}
// Each instrumentation recorded every request of its blocks (a check that both ran).
const { resourceMetrics } = await reader.collect();
const counted = resourceMetrics.scopeMetrics
  .filter((scope) => scope.metrics.some((m) => m.descriptor.name === 'http.server.request.duration'))
  .map(
    (scope) =>
      `${scope.scope.name}: ${scope.metrics
        .filter((m) => m.descriptor.name === 'http.server.request.duration')
        .flatMap((m) => m.dataPoints)
        .reduce((sum, p) => sum + p.value.count, 0)}`,
  );
console.log(`\nserver requests recorded: ${counted.join(', ')} (each variant ${REQUESTS / 2 + ROUNDS * REQUESTS})`);
for (const socket of sockets) socket.destroy();
server.close();
