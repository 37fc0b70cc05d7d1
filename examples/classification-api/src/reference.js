// Prints the reference data set (CSV) the shipped profile was built from: 5000 rows of the
// training distribution (amount ~ N(100, 15), image brightness ~ N(0.5, 0.1), country FR/DE/ES).
import { rng } from './random.js';

const { normal } = rng(11);
const countries = ['FR', 'DE', 'ES'];
const lines = ['amount,image_brightness,country'];
for (let i = 0; i < 5000; i++) {
  lines.push(`${(100 + 15 * normal()).toFixed(4)},${(0.5 + 0.1 * normal()).toFixed(4)},${countries[i % 3]}`);
}
console.log(lines.join('\n'));
