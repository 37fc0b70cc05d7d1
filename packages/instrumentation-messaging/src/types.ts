import type { TaskMeter } from '@mltel/tasks';
import type { InstrumentationConfig } from '@opentelemetry/instrumentation';
import type { MessagingMeter } from './messaging-meter.js';

/** Configuration of the messaging instrumentations. */
export interface MessagingInstrumentationConfig extends InstrumentationConfig {
  /** The messaging meter to record to; default the shared one on the global provider. */
  meter?: MessagingMeter;
  /** BullMQ only: the task meter its workers' jobs are recorded on; default `@mltel/tasks`' shared meter. */
  taskMeter?: TaskMeter;
}
