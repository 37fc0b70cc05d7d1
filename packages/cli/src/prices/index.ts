export { PRICES_EXIT, prices } from './command.js';
