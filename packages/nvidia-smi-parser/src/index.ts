// Public API of @mltel/nvidia-smi-parser: pure functions from nvidia-smi output to typed
// records. Every parser throws NvidiaSmiError and nothing else; absent values are undefined.
export type {
  ClockReading,
  EccReading,
  GpuProcess,
  GpuReading,
  ListedGpu,
  MemoryReading,
  MigDeviceReading,
  NvidiaSmiFailureReason,
  QueryField,
  UtilizationReading,
  XmlReport,
} from './types.js';
export { NvidiaSmiError, detectFailure } from './errors.js';
export { parseQueryGpuCsv, parseQueryGpuCsvPartial, parseComputeAppsCsv, parseComputeAppsCsvPartial } from './csv.js';
export type { PartialResult } from './csv.js';
export { parseXml } from './xml.js';
export { parseHelpQueryGpu } from './help.js';
export { parseList, withListInfo } from './list.js';
export { parseTable } from './table.js';
export type { TableReport } from './table.js';
export {
  QUERY_GPU_FIELDS,
  QUERY_COMPUTE_APPS_FIELDS,
  canonicalField,
  canonicalComputeAppsField,
  negotiateFields,
} from './fields.js';
export type { FieldNegotiation } from './fields.js';
export { isAbsent } from './values.js';
