// Preloaded before the preload under test (`--import ./count-modules.js`): counts the modules
// loaded from files (ESM and CommonJS, through Node's synchronous module hooks) and prints the
// count as JSON on stderr when the process exits.
import { registerHooks } from 'node:module';

const loaded = new Set();
registerHooks({
  load(url, context, nextLoad) {
    if (url.startsWith('file:')) loaded.add(url);
    return nextLoad(url, context);
  },
});
process.on('exit', () => {
  const packages = new Map();
  for (const url of loaded) {
    const match = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/.exec(url);
    const name = match
      ? match[1]
      : url.includes('/packages/')
        ? `@mltel/${url.split('/packages/')[1].split('/')[0]}`
        : 'app';
    packages.set(name, (packages.get(name) ?? 0) + 1);
  }
  process.stderr.write(`MODULES ${JSON.stringify({ total: loaded.size, packages: Object.fromEntries(packages) })}\n`);
});
