import {
  ATTR_ERROR_TYPE,
  ATTR_ML_QUEUE_NAME,
  ATTR_ML_TASK_NAME,
  ATTR_ML_TASK_STATUS,
  ATTR_ML_WORKER_TYPE,
} from '../attributes.js';
import { TASK_DURATION_BUCKETS } from '../buckets.js';
import type { MetricDefinition } from '../types.js';

const TASK_ATTRS = [ATTR_ML_TASK_NAME, ATTR_ML_TASK_STATUS, ATTR_ML_WORKER_TYPE] as const;

/** `ml.tasks`: tasks processed, by status. */
export const ML_TASKS = {
  name: 'ml.tasks',
  kind: 'Counter',
  unit: '{task}',
  description: 'ML tasks processed, by outcome.',
  attributes: TASK_ATTRS,
  family: 'tasks',
  owner: '@mltel/tasks',
  prometheusName: 'ml_tasks_total',
} as const satisfies MetricDefinition;

/** `ml.task.duration`: how long a task ran. */
export const ML_TASK_DURATION = {
  name: 'ml.task.duration',
  kind: 'Histogram',
  unit: 's',
  description: 'Duration of ML tasks, by outcome.',
  attributes: TASK_ATTRS,
  buckets: TASK_DURATION_BUCKETS,
  family: 'tasks',
  owner: '@mltel/tasks',
  prometheusName: 'ml_task_duration_seconds',
} as const satisfies MetricDefinition;

/** `ml.task.errors`: failed tasks, by error type. */
export const ML_TASK_ERRORS = {
  name: 'ml.task.errors',
  kind: 'Counter',
  unit: '{error}',
  description: 'ML task errors, by error type.',
  attributes: [ATTR_ML_TASK_NAME, ATTR_ERROR_TYPE, ATTR_ML_WORKER_TYPE],
  family: 'tasks',
  owner: '@mltel/tasks',
  prometheusName: 'ml_task_errors_total',
} as const satisfies MetricDefinition;

/** `ml.tasks.active`: tasks in flight. */
export const ML_TASKS_ACTIVE = {
  name: 'ml.tasks.active',
  kind: 'ObservableUpDownCounter',
  unit: '{task}',
  description: 'ML tasks currently running.',
  attributes: [ATTR_ML_TASK_NAME, ATTR_ML_WORKER_TYPE],
  family: 'tasks',
  owner: '@mltel/tasks',
  prometheusName: 'ml_tasks_active',
} as const satisfies MetricDefinition;

/** `ml.task.queue.duration`: time a task waited in a queue before it started. */
export const ML_TASK_QUEUE_DURATION = {
  name: 'ml.task.queue.duration',
  kind: 'Histogram',
  unit: 's',
  description: 'Time ML tasks waited in a queue before they started.',
  attributes: [ATTR_ML_TASK_NAME, ATTR_ML_QUEUE_NAME],
  buckets: TASK_DURATION_BUCKETS,
  family: 'tasks',
  owner: '@mltel/tasks',
  prometheusName: 'ml_task_queue_duration_seconds',
} as const satisfies MetricDefinition;

/** `ml.queue.size`: items waiting in a queue, observed at collection. */
export const ML_QUEUE_SIZE = {
  name: 'ml.queue.size',
  kind: 'ObservableGauge',
  unit: '{item}',
  description: 'Items waiting in a queue.',
  attributes: [ATTR_ML_QUEUE_NAME],
  family: 'tasks',
  owner: '@mltel/kit',
  prometheusName: 'ml_queue_size',
} as const satisfies MetricDefinition;

/** The ML task family. */
export const TASK_METRICS = [
  ML_TASKS,
  ML_TASK_DURATION,
  ML_TASK_ERRORS,
  ML_TASKS_ACTIVE,
  ML_TASK_QUEUE_DURATION,
  ML_QUEUE_SIZE,
] as const;
