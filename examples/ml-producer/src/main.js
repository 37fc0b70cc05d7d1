// An ML producer and its consumers in the shape of the teams' (reference service 3): the producer
// publishes PRODUCER_TASKS tasks (classify-image, extract-text; deterministic) to the broker
// (src/broker.js, 127.0.0.1), three consumers take them and run them under the task meter
// (ml.tasks, durations, errors, queue wait with the publish time carried in the message, queue
// depth read from the broker). Prints the ground truth, then keeps serving metrics.
//   node --import @mltel/node/register src/main.js
import { createTaskMeter } from '@mltel/tasks';
import { BrokerClient, startBroker } from './broker.js';

const TASKS = Number(process.env.PRODUCER_TASKS ?? 150);
const QUEUE = 'ml-tasks';
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const broker = await startBroker();
const client = new BrokerClient(broker.url);
const tasks = createTaskMeter({ workerType: 'consumer' });
tasks.observeQueueSize(QUEUE, () => broker.depth(QUEUE));

class UnreadableImageError extends Error {
  name = 'UnreadableImageError';
}
const handlers = {
  'classify-image': tasks.wrap('classify-image', async (message) => {
    await sleep(5 + (message.id % 7));
    if (message.id % 13 === 12) throw new UnreadableImageError(`image ${message.id}`);
  }),
  'extract-text': tasks.wrap('extract-text', async (message) => {
    await sleep(3 + (message.id % 5));
  }),
};

const counts = { published: 0, success: 0, error: 0 };
const producer = (async () => {
  for (let id = 0; id < TASKS; id++) {
    await client.publish(QUEUE, {
      id,
      type: id % 3 === 0 ? 'extract-text' : 'classify-image',
      publishedAt: Date.now(),
    });
    counts.published++;
    await sleep(4);
  }
})();

async function consumer() {
  while (counts.success + counts.error < TASKS) {
    const message = await client.consume(QUEUE);
    if (message === undefined) {
      await sleep(5);
      continue;
    }
    tasks.recordQueueWait(message.type, QUEUE, (Date.now() - message.publishedAt) / 1000);
    try {
      await handlers[message.type](message);
      counts.success++;
    } catch {
      counts.error++;
    }
  }
}
await Promise.all([producer, consumer(), consumer(), consumer()]);
console.log(`ml-producer: done ${JSON.stringify({ tasks: TASKS, ...counts })}`);
setInterval(() => {}, 1 << 30);
