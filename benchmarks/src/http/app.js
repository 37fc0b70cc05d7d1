// The HTTP service of the service-level benchmark (../http-service.js): node:http, about 0.2 ms
// of work per request, and per request one ML task and one LLM call recorded by the variant of
// BENCH_HTTP_MODE. The work (BENCH_HTTP_WORK), sized once by the runner:
//   native  one SHA-256 over a buffer of BENCH_HTTP_BYTES, allocated once: one native call
//   rounds  BENCH_HTTP_ROUNDS SHA-256 rounds of 32 bytes: a crypto Hash object per round, each
//           with a weak handle that V8's scavenges process (allocation-heavy)
// The variants:
//   none   uninstrumented (the baseline)
//   mltel  under the preload (`node --import @mltel/node/register`, default settings): the task
//          through the default TaskMeter's wrap(), the call through the default ProviderMeter's
//          record() (priced by the preload's cost meter)
//   otel   raw OTel by hand (--import ../startup/otel.js): counter + histogram for the task,
//          3 histograms + a cost counter for the call, on the global provider
//   prom   prom-client by hand: the same instruments, and a /metrics route
// Prints "listening <port>" once it serves on 127.0.0.1.
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';

const MODE = process.env.BENCH_HTTP_MODE ?? 'none';
const WORK = process.env.BENCH_HTTP_WORK ?? 'native';
const ROUNDS = Number(process.env.BENCH_HTTP_ROUNDS ?? 100);
const BULK = WORK === 'native' ? Buffer.alloc(Number(process.env.BENCH_HTTP_BYTES ?? 393_216), 7) : undefined;
const PAYLOAD = Buffer.alloc(256, 7);
const MODELS = ['gpt-4o-mini', 'gpt-4o', 'gpt-4.1-mini', 'gpt-4.1'];
const RATES = { input: 0.15e-6, output: 0.6e-6 };

function work() {
  if (WORK === 'native') return createHash('sha256').update(BULK).digest()[0];
  let digest = PAYLOAD;
  for (let i = 0; i < ROUNDS; i++) digest = createHash('sha256').update(digest).digest();
  return digest[0];
}

function call(n) {
  return {
    model: MODELS[n & 3],
    inputTokens: 100 + (n & 255),
    outputTokens: 20 + (n & 63),
    durationSeconds: 0.4 + (n & 7) / 10,
  };
}

async function recorder() {
  if (MODE === 'mltel') {
    const { defaultTaskMeter } = await import('@mltel/tasks');
    const { defaultProviderMeter } = await import('@mltel/genai');
    const handle = defaultTaskMeter().wrap('handle_request', work);
    const meter = defaultProviderMeter();
    return (n) => {
      handle();
      const c = call(n);
      meter.record({
        provider: 'openai',
        operation: 'chat',
        model: c.model,
        serverAddress: 'api.openai.com',
        serverPort: 443,
        durationSeconds: c.durationSeconds,
        usage: { responseModel: c.model, inputTokens: c.inputTokens, outputTokens: c.outputTokens },
      });
    };
  }
  if (MODE === 'otel') {
    const { metrics } = await import('@opentelemetry/api');
    const meter = metrics.getMeter('bench');
    const tasks = meter.createCounter('ml.tasks');
    const taskDuration = meter.createHistogram('ml.task.duration', { unit: 's' });
    const duration = meter.createHistogram('gen_ai.client.operation.duration', { unit: 's' });
    const tokens = meter.createHistogram('gen_ai.client.token.usage');
    const cost = meter.createCounter('gen_ai.client.cost');
    return (n) => {
      const t0 = performance.now();
      work();
      const task = { 'ml.task.name': 'handle_request', 'ml.task.status': 'success' };
      tasks.add(1, task);
      taskDuration.record((performance.now() - t0) / 1000, task);
      const c = call(n);
      const attributes = {
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': 'openai',
        'gen_ai.request.model': c.model,
        'gen_ai.response.model': c.model,
        'server.address': 'api.openai.com',
        'server.port': 443,
      };
      duration.record(c.durationSeconds, attributes);
      tokens.record(c.inputTokens, { ...attributes, 'gen_ai.token.type': 'input' });
      tokens.record(c.outputTokens, { ...attributes, 'gen_ai.token.type': 'output' });
      cost.add(c.inputTokens * RATES.input + c.outputTokens * RATES.output, {
        'gen_ai.provider.name': 'openai',
        'gen_ai.request.model': c.model,
      });
    };
  }
  if (MODE === 'prom') {
    const promClient = (await import('prom-client')).default;
    const tasks = new promClient.Counter({
      name: 'ml_tasks_total',
      help: 'h',
      labelNames: ['ml_task_name', 'ml_task_status'],
    });
    const taskDuration = new promClient.Histogram({
      name: 'ml_task_duration_seconds',
      help: 'h',
      labelNames: ['ml_task_name', 'ml_task_status'],
    });
    const labelNames = [
      'gen_ai_operation_name',
      'gen_ai_provider_name',
      'gen_ai_request_model',
      'gen_ai_response_model',
    ];
    const duration = new promClient.Histogram({
      name: 'gen_ai_client_operation_duration_seconds',
      help: 'h',
      labelNames,
    });
    const tokens = new promClient.Histogram({
      name: 'gen_ai_client_token_usage',
      help: 'h',
      labelNames: [...labelNames, 'gen_ai_token_type'],
    });
    const cost = new promClient.Counter({
      name: 'gen_ai_client_cost_usd_total',
      help: 'h',
      labelNames: ['gen_ai_provider_name', 'gen_ai_request_model'],
    });
    return (n) => {
      const end = taskDuration.startTimer();
      work();
      const task = { ml_task_name: 'handle_request', ml_task_status: 'success' };
      end(task);
      tasks.inc(task);
      const c = call(n);
      const labels = {
        gen_ai_operation_name: 'chat',
        gen_ai_provider_name: 'openai',
        gen_ai_request_model: c.model,
        gen_ai_response_model: c.model,
      };
      duration.observe(labels, c.durationSeconds);
      tokens.observe({ ...labels, gen_ai_token_type: 'input' }, c.inputTokens);
      tokens.observe({ ...labels, gen_ai_token_type: 'output' }, c.outputTokens);
      cost.inc(
        { gen_ai_provider_name: 'openai', gen_ai_request_model: c.model },
        c.inputTokens * RATES.input + c.outputTokens * RATES.output,
      );
    };
  }
  return () => work();
}

const handle = await recorder();
let n = 0;
const server = createServer((_req, res) => {
  handle(n++);
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end('{"ok":true}');
});
server.listen(0, '127.0.0.1', () => console.log(`listening ${server.address().port}`));
process.on('SIGTERM', () => process.exit(0));
