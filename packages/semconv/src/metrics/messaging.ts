// Task queues and brokers: the OTel messaging conventions where they exist (client operation
// duration, sent and consumed messages, process duration), and under `ml.*` what the teams'
// producer and worker dashboards need and the conventions lack (body size, connection state,
// reconnections, connection errors, publish retries, queue depth by state), plus the circuit
// breaker and health of any dependency. Attribute keys are stated here, next to the only
// instruments that use them.
import {
  ATTR_ERROR_TYPE,
  ATTR_ML_CIRCUIT_BREAKER_STATE,
  ATTR_ML_QUEUE_NAME,
  ATTR_SERVER_ADDRESS,
} from '../attributes.js';
import type { MetricDefinition } from '../types.js';

/** `messaging.system`: the broker kind (`rabbitmq`, `redis` for BullMQ), from the OTel conventions. */
export const ATTR_MESSAGING_SYSTEM = 'messaging.system';
/** `messaging.operation.name`: `publish`, `send`, `receive`, `process`, `ack`, `nack`, ... */
export const ATTR_MESSAGING_OPERATION_NAME = 'messaging.operation.name';
/** `messaging.destination.name`: the exchange, queue or routing destination (capped like queue names). */
export const ATTR_MESSAGING_DESTINATION_NAME = 'messaging.destination.name';
/** `ml.connection.state`: one of {@link ML_CONNECTION_STATE_VALUES}. */
export const ATTR_ML_CONNECTION_STATE = 'ml.connection.state';
/** `ml.queue.state`: a job state of a queue, one of {@link ML_QUEUE_STATE_VALUES}. */
export const ATTR_ML_QUEUE_STATE = 'ml.queue.state';
/** `ml.dependency.name`: a dependency the service calls (a broker, a database, a service), bounded by the user. */
export const ATTR_ML_DEPENDENCY_NAME = 'ml.dependency.name';
/** `ml.dependency.kind`: the kind of dependency (`broker`, `database`, `service`, ...). */
export const ATTR_ML_DEPENDENCY_KIND = 'ml.dependency.kind';
/** `ml.circuit_breaker.from`: the state a breaker left. */
export const ATTR_ML_CIRCUIT_BREAKER_FROM = 'ml.circuit_breaker.from';
/** `ml.circuit_breaker.to`: the state a breaker entered. */
export const ATTR_ML_CIRCUIT_BREAKER_TO = 'ml.circuit_breaker.to';

/** Allowed values of `ml.connection.state`. */
export const ML_CONNECTION_STATE_VALUES = ['connected', 'disconnected', 'connecting'] as const;
/** Allowed values of `ml.queue.state` (BullMQ's job states). */
export const ML_QUEUE_STATE_VALUES = [
  'waiting',
  'active',
  'delayed',
  'failed',
  'completed',
  'prioritized',
  'paused',
] as const;

/** `messaging.client.operation.duration` buckets from the OTel messaging conventions (5 ms to 10 s). */
export const MESSAGING_DURATION_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10,
] as const;
/** Message body sizes: powers of four from 64 B to 64 MiB. */
export const MESSAGE_BODY_SIZE_BUCKETS = [
  64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864,
] as const;

const OPERATION_ATTRS = [
  ATTR_MESSAGING_SYSTEM,
  ATTR_MESSAGING_OPERATION_NAME,
  ATTR_MESSAGING_DESTINATION_NAME,
  ATTR_ERROR_TYPE,
  ATTR_SERVER_ADDRESS,
] as const;
const OWNER = '@mltel/instrumentation-messaging';

/** `messaging.client.operation.duration`: publish, send, receive, settle, as seen by the client. */
export const MESSAGING_CLIENT_OPERATION_DURATION = {
  name: 'messaging.client.operation.duration',
  kind: 'Histogram',
  unit: 's',
  description: 'Duration of messaging operations initiated by a producer or consumer client.',
  attributes: OPERATION_ATTRS,
  buckets: MESSAGING_DURATION_BUCKETS,
  family: 'messaging',
  owner: OWNER,
  prometheusName: 'messaging_client_operation_duration_seconds',
} as const satisfies MetricDefinition;

/** `messaging.client.sent.messages`: messages a producer attempted to send. */
export const MESSAGING_CLIENT_SENT_MESSAGES = {
  name: 'messaging.client.sent.messages',
  kind: 'Counter',
  unit: '{message}',
  description: 'Messages a producer attempted to send to the broker (error.type set when it failed).',
  attributes: OPERATION_ATTRS,
  family: 'messaging',
  owner: OWNER,
  prometheusName: 'messaging_client_sent_messages_total',
} as const satisfies MetricDefinition;

/** `messaging.client.consumed.messages`: messages delivered to a consumer. */
export const MESSAGING_CLIENT_CONSUMED_MESSAGES = {
  name: 'messaging.client.consumed.messages',
  kind: 'Counter',
  unit: '{message}',
  description: 'Messages delivered to a consumer.',
  attributes: OPERATION_ATTRS,
  family: 'messaging',
  owner: OWNER,
  prometheusName: 'messaging_client_consumed_messages_total',
} as const satisfies MetricDefinition;

/** `messaging.process.duration`: time the consumer's callback took per message. */
export const MESSAGING_PROCESS_DURATION = {
  name: 'messaging.process.duration',
  kind: 'Histogram',
  unit: 's',
  description: 'Duration of processing a delivered message (the consumer callback).',
  attributes: OPERATION_ATTRS,
  buckets: MESSAGING_DURATION_BUCKETS,
  family: 'messaging',
  owner: OWNER,
  prometheusName: 'messaging_process_duration_seconds',
} as const satisfies MetricDefinition;

/** `ml.messaging.message.body.size`: body size of messages sent and consumed. */
export const ML_MESSAGING_MESSAGE_BODY_SIZE = {
  name: 'ml.messaging.message.body.size',
  kind: 'Histogram',
  unit: 'By',
  description: 'Body size of messages sent or consumed.',
  attributes: [ATTR_MESSAGING_SYSTEM, ATTR_MESSAGING_OPERATION_NAME, ATTR_MESSAGING_DESTINATION_NAME],
  buckets: MESSAGE_BODY_SIZE_BUCKETS,
  family: 'messaging',
  owner: OWNER,
  prometheusName: 'ml_messaging_message_body_size_bytes',
} as const satisfies MetricDefinition;

/**
 * `ml.messaging.connection.state`: the link to one broker server, one series per state, 1 for the
 * current one and 0 for the others: `connected` while at least one connection to it is open,
 * else `connecting` while an attempt is in flight, else `disconnected`.
 */
export const ML_MESSAGING_CONNECTION_STATE = {
  name: 'ml.messaging.connection.state',
  kind: 'ObservableGauge',
  unit: '{state}',
  description:
    'Broker connection state per server: 1 for the current state (connected, connecting, disconnected), 0 for the others.',
  attributes: [ATTR_MESSAGING_SYSTEM, ATTR_SERVER_ADDRESS, ATTR_ML_CONNECTION_STATE],
  family: 'messaging',
  owner: OWNER,
  prometheusName: 'ml_messaging_connection_state',
} as const satisfies MetricDefinition;

/** `ml.messaging.connection.reconnections`: connections opened again to a server after one closed. */
export const ML_MESSAGING_CONNECTION_RECONNECTIONS = {
  name: 'ml.messaging.connection.reconnections',
  kind: 'Counter',
  unit: '{reconnection}',
  description: 'Broker connections opened to a server after an earlier connection to it closed.',
  attributes: [ATTR_MESSAGING_SYSTEM, ATTR_SERVER_ADDRESS],
  family: 'messaging',
  owner: OWNER,
  prometheusName: 'ml_messaging_connection_reconnections_total',
} as const satisfies MetricDefinition;

/** `ml.messaging.connection.errors`: failed connects and connections closed by an error. */
export const ML_MESSAGING_CONNECTION_ERRORS = {
  name: 'ml.messaging.connection.errors',
  kind: 'Counter',
  unit: '{error}',
  description: 'Broker connection attempts that failed and connections that closed with an error.',
  attributes: [ATTR_MESSAGING_SYSTEM, ATTR_SERVER_ADDRESS, ATTR_ERROR_TYPE],
  family: 'messaging',
  owner: OWNER,
  prometheusName: 'ml_messaging_connection_errors_total',
} as const satisfies MetricDefinition;

/** `ml.messaging.publish.retries`: publishes attempted again after a failure (recorded by hand). */
export const ML_MESSAGING_PUBLISH_RETRIES = {
  name: 'ml.messaging.publish.retries',
  kind: 'Counter',
  unit: '{retry}',
  description: 'Publishes attempted again after a failed or unconfirmed attempt.',
  attributes: OPERATION_ATTRS,
  family: 'messaging',
  owner: OWNER,
  prometheusName: 'ml_messaging_publish_retries_total',
} as const satisfies MetricDefinition;

/**
 * `ml.queue.jobs`: jobs of a queue per state, read from the broker at collection (cached); the
 * sibling of kit's `ml.queue.size`, which stays one number per queue.
 */
export const ML_QUEUE_JOBS = {
  name: 'ml.queue.jobs',
  kind: 'ObservableGauge',
  unit: '{job}',
  description: 'Jobs in a queue per state (waiting, active, delayed, failed, ...), as the broker reports them.',
  attributes: [ATTR_MESSAGING_SYSTEM, ATTR_ML_QUEUE_NAME, ATTR_ML_QUEUE_STATE],
  family: 'messaging',
  owner: OWNER,
  prometheusName: 'ml_queue_jobs',
} as const satisfies MetricDefinition;

const DEPENDENCY_ATTRS = [ATTR_ML_DEPENDENCY_NAME, ATTR_ML_DEPENDENCY_KIND] as const;

/** `ml.dependency.circuit_breaker.state`: 1 for the current breaker state, 0 for the others. */
export const ML_DEPENDENCY_CIRCUIT_BREAKER_STATE = {
  name: 'ml.dependency.circuit_breaker.state',
  kind: 'ObservableGauge',
  unit: '{state}',
  description: 'Circuit-breaker state per dependency: 1 for the current state, 0 for the others.',
  attributes: [...DEPENDENCY_ATTRS, ATTR_ML_CIRCUIT_BREAKER_STATE],
  family: 'dependency',
  owner: '@mltel/kit',
  prometheusName: 'ml_dependency_circuit_breaker_state',
} as const satisfies MetricDefinition;

/** `ml.dependency.circuit_breaker.transitions`: every state change, so a flip between scrapes is seen. */
export const ML_DEPENDENCY_CIRCUIT_BREAKER_TRANSITIONS = {
  name: 'ml.dependency.circuit_breaker.transitions',
  kind: 'Counter',
  unit: '{transition}',
  description: 'Circuit-breaker state changes per dependency, by the state left and the state entered.',
  attributes: [...DEPENDENCY_ATTRS, ATTR_ML_CIRCUIT_BREAKER_FROM, ATTR_ML_CIRCUIT_BREAKER_TO],
  family: 'dependency',
  owner: '@mltel/kit',
  prometheusName: 'ml_dependency_circuit_breaker_transitions_total',
} as const satisfies MetricDefinition;

/** `ml.dependency.status`: 1 healthy, 0 unhealthy (an open breaker is unhealthy). */
export const ML_DEPENDENCY_STATUS = {
  name: 'ml.dependency.status',
  kind: 'ObservableGauge',
  unit: '{status}',
  description: 'Dependency health: 1 healthy, 0 unhealthy (its breaker is open, or it was marked down).',
  attributes: DEPENDENCY_ATTRS,
  family: 'dependency',
  owner: '@mltel/kit',
  prometheusName: 'ml_dependency_status',
} as const satisfies MetricDefinition;

/** `ml.dependency.failures`: failed calls to a dependency, by error type. */
export const ML_DEPENDENCY_FAILURES = {
  name: 'ml.dependency.failures',
  kind: 'Counter',
  unit: '{failure}',
  description:
    'Failed calls to a dependency, by error type (calls refused by an open breaker are error.type=circuit_open).',
  attributes: [...DEPENDENCY_ATTRS, ATTR_ERROR_TYPE],
  family: 'dependency',
  owner: '@mltel/kit',
  prometheusName: 'ml_dependency_failures_total',
} as const satisfies MetricDefinition;

/** The messaging family (brokers and task queues). */
export const MESSAGING_METRICS = [
  MESSAGING_CLIENT_OPERATION_DURATION,
  MESSAGING_CLIENT_SENT_MESSAGES,
  MESSAGING_CLIENT_CONSUMED_MESSAGES,
  MESSAGING_PROCESS_DURATION,
  ML_MESSAGING_MESSAGE_BODY_SIZE,
  ML_MESSAGING_CONNECTION_STATE,
  ML_MESSAGING_CONNECTION_RECONNECTIONS,
  ML_MESSAGING_CONNECTION_ERRORS,
  ML_MESSAGING_PUBLISH_RETRIES,
  ML_QUEUE_JOBS,
] as const;

/** The dependency family (circuit breaker and health of any dependency). */
export const DEPENDENCY_METRICS = [
  ML_DEPENDENCY_CIRCUIT_BREAKER_STATE,
  ML_DEPENDENCY_CIRCUIT_BREAKER_TRANSITIONS,
  ML_DEPENDENCY_STATUS,
  ML_DEPENDENCY_FAILURES,
] as const;
