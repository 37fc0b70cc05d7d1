// A multimodal classification API in the shape of the teams' (reference service 5): each request
// carries a transaction amount, an image (its brightness stands for the image features) and a
// country; the "model" says fraud or legit with a confidence. Labels arrive late, in batches,
// 3 in 4 agreeing with the prediction. Inputs drift from the training distribution by
// API_SHIFT standard deviations of the amount (default 1), scored against the shipped
// reference-profile.json (built by `npm run profile` with `mltel drift profile`).
// API_REQUESTS (default 1000) requests (API_PACE_MS between hundreds), then the ground truth line, then it keeps serving metrics.
//   node --import @mltel/node/register src/api.js
import { readFileSync } from 'node:fs';
import { createModelMonitor } from '@mltel/quality';
import { rng } from './random.js';

const REQUESTS = Number(process.env.API_REQUESTS ?? 1000);
const SHIFT = Number(process.env.API_SHIFT ?? 1);
// Pause after every 100 requests, so the load is spread over a few scrapes.
const PACE_MS = Number(process.env.API_PACE_MS ?? 20);
const { uniform, normal } = rng(7);

let driftAlerts = 0;
const monitor = createModelMonitor({
  modelName: 'fraud-multimodal',
  profile: readFileSync(new URL('../reference-profile.json', import.meta.url), 'utf8'),
  window: { count: 500 },
  minSamples: 100,
  accuracyWindow: 400,
  onAlert: () => driftAlerts++,
});

const countries = ['FR', 'DE', 'ES'];
const predictions = { fraud: 0, legit: 0 };
let right = 0;
for (let i = 0; i < REQUESTS; i++) {
  const predicted = i % 2 === 0 ? 'fraud' : 'legit';
  predictions[predicted]++;
  monitor.recordPrediction({
    predictedClass: predicted,
    confidence: 0.5 + 0.49 * uniform(),
    features: {
      amount: 100 + 15 * (normal() + SHIFT),
      image_brightness: 0.5 + 0.1 * normal(),
      country: countries[i % 3],
    },
    id: `req-${i}`,
  });
  // Labels come 50 requests late.
  if (i >= 50) {
    const j = i - 50;
    const p = j % 2 === 0 ? 'fraud' : 'legit';
    const truth = j % 4 === 0 ? (p === 'fraud' ? 'legit' : 'fraud') : p;
    if (truth === p) right++;
    monitor.recordLabel(`req-${j}`, truth);
  }
  if (i % 100 === 99) await new Promise((resolve) => setTimeout(resolve, PACE_MS));
}
const labelled = Math.max(0, REQUESTS - 50);
console.log(
  `classification-api: done ${JSON.stringify({ requests: REQUESTS, ...predictions, labelled, right, driftAlerts })}`,
);
setInterval(() => {}, 1 << 30);
