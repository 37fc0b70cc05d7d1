// Harness of the @mltel/pipeline unit tests: a real MeterProvider with a manual reader,
// collection helpers, and a diag logger that captures warnings.
import {
  ATTR_ERROR_TYPE,
  ATTR_ML_MODEL_NAME,
  ATTR_ML_PIPELINE_STAGE,
  ATTR_ML_TOKEN_KIND,
  ATTR_ML_WORKER_ID,
} from '@mltel/semconv';
import { sdkHarness } from '@mltel/test-kit';
import { createPipelineMeter } from '../src/pipeline-meter.js';
import type { PipelineMeterOptions } from '../src/types.js';

const ORDER = [ATTR_ML_PIPELINE_STAGE, ATTR_ML_MODEL_NAME, ATTR_ML_TOKEN_KIND, ATTR_ERROR_TYPE, ATTR_ML_WORKER_ID];

export type { HistogramPoint, SumPoint } from '@mltel/test-kit';
export const { collect, captureDiag, sdkProvider } = sdkHarness(ORDER);

/** A real SDK provider with a manual reader, and a pipeline meter bound to it. */
export function setup(options: Partial<PipelineMeterOptions> = {}) {
  const sdk = sdkProvider();
  const meter = createPipelineMeter({ pipelineName: 'rerank', ...options, meterProvider: sdk.provider });
  return { ...sdk, meter };
}
