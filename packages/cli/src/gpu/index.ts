export { GPU_EXIT, gpu } from './command.js';
