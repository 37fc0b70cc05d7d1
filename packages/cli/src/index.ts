export { main, usage } from './main.js';
export type { CliIo, Command } from './io.js';
export { processIo } from './io.js';
