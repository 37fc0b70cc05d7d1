export { AmqplibInstrumentation, AMQPLIB_SUPPORTED_VERSIONS } from './amqplib.js';
export { BULLMQ_JOB_STATES, BULLMQ_SUPPORTED_VERSIONS, BullMQInstrumentation } from './bullmq.js';
export type { MessagingMeterOptions, MessagingOperation } from './messaging-meter.js';
export {
  defaultMessagingMeter,
  errorTypeFor,
  MAX_DESTINATIONS,
  MAX_ERROR_TYPES,
  MAX_NAME_LENGTH,
  MAX_SERVERS,
  MessagingMeter,
  recordPublishRetry,
} from './messaging-meter.js';
export {
  DEFAULT_QUEUE_JOBS_INTERVAL_MS,
  DEFAULT_QUEUE_JOBS_TIMEOUT_MS,
  MAX_OBSERVED_QUEUES,
} from './queue-jobs.js';
export type { JobCountsReader } from './queue-jobs.js';
export { SCOPE_NAME } from './instruments.js';
export type { MessagingInstrumentationConfig } from './types.js';
