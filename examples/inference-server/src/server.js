// A cross-encoder inference server in the shape of the teams' (reference service 2): a `cluster`
// primary forks SERVER_WORKERS workers serving POST /rerank on 127.0.0.1; each request goes
// tokenize -> model queue (a batcher: up to 8 pairs every 5 ms, padded to the longest) ->
// inference -> serialize, recorded by a pipeline meter with the worker's slot as ml.worker.id.
// The primary sends SERVER_REQUESTS requests (deterministic; 1 in 25 asks for an unknown query
// and fails), prints the ground truth, then keeps serving. GPU metrics come from nvidia-smi on
// PATH (the tests put test/fixtures/fake-nvidia-smi there). Run under the preload:
//   node --import @mltel/node/register src/server.js
import cluster from 'node:cluster';
import { createServer, request as httpRequest } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { createPipelineMeter } from '@mltel/pipeline';

const WORKERS = Number(process.env.SERVER_WORKERS ?? 2);
const REQUESTS = Number(process.env.SERVER_REQUESTS ?? 200);
const MODEL = 'ms-marco-MiniLM-L-6-v2';

class UnknownQueryError extends Error {
  name = 'UnknownQueryError';
}

if (cluster.isPrimary) {
  const port = Number(process.env.SERVER_PORT ?? 0) || 18000 + (process.pid % 20000);
  let ready = 0;
  for (let slot = 0; slot < WORKERS; slot++) {
    cluster.fork({ WORKER_SLOT: String(slot), SERVER_PORT: String(port) }).once('listening', async () => {
      if (++ready < WORKERS) return;
      console.log(`inference-server: ${WORKERS} workers on http://127.0.0.1:${port}/rerank`);
      const counts = { requests: 0, ok: 0, failed: 0 };
      for (let i = 0; i < REQUESTS; i++) {
        const status = await post(port, { query: i % 25 === 24 ? 'unknown' : `q${i}`, docs: 1 + (i % 6) });
        counts.requests++;
        if (status === 200) counts.ok++;
        else counts.failed++;
      }
      console.log(`inference-server: done ${JSON.stringify(counts)}`);
    });
  }
  process.on('SIGTERM', () => {
    for (const worker of Object.values(cluster.workers ?? {})) worker.kill('SIGTERM');
    setTimeout(() => process.exit(0), 300).unref();
  });
} else {
  const slot = Number(process.env.WORKER_SLOT);
  const meter = createPipelineMeter({
    pipelineName: 'rerank',
    workerPool: { type: 'model', size: WORKERS },
    workerId: slot,
  });
  const queue = [];
  meter.observeQueue('model', queue);
  setInterval(async () => {
    const batch = queue.splice(0, 8);
    if (batch.length === 0) return;
    for (const item of batch) item.timeline.mark('model_queue');
    meter.recordBatch({ model: MODEL, sequenceLengths: batch.map((item) => item.tokens) });
    const start = performance.now();
    await sleep(1 + batch.length);
    meter.recordInference({ seconds: (performance.now() - start) / 1000, model: MODEL, modelVersion: '2' });
    for (const item of batch) item.timeline.mark('inference');
    for (const item of batch) item.done();
  }, 5).unref();

  createServer(async (req, res) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    const timeline = meter.timeline();
    const { query, docs } = JSON.parse(body);
    await sleep(1);
    timeline.mark('tokenize');
    if (query === 'unknown') {
      timeline.end({ error: new UnknownQueryError('no such query') });
      res.writeHead(422, { connection: 'close' }).end();
      return;
    }
    // Pairs of 16..63 tokens, from the query text: deterministic.
    const tokens = 16 + ((query.length * 7 + docs * 13) % 48);
    await new Promise((resolve) => queue.push({ timeline, tokens, done: resolve }));
    const out = JSON.stringify({ scores: Array.from({ length: docs }, (_, i) => 1 / (i + 1)) });
    timeline.mark('serialize');
    timeline.end();
    res.writeHead(200, { 'content-type': 'application/json', connection: 'close' }).end(out);
  }).listen(Number(process.env.SERVER_PORT), '127.0.0.1');
}

function post(port, payload) {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path: '/rerank', method: 'POST' }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', reject);
    req.end(JSON.stringify(payload));
  });
}
