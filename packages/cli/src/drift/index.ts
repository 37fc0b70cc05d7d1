export { drift } from './command.js';
