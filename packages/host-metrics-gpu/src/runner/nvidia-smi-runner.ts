// Runs nvidia-smi for the GPU plugin: at most one child at a time (a collection that starts while
// one runs shares its promise), the --query-gpu field list negotiated once from
// --help-query-gpu, MIG layout from -L, and ONE spawn per steady-state collection:
// `--query-gpu … --format=csv,noheader,nounits`, or `-q -x` when MIG instances or per-process
// memory need it. Loop mode keeps one `-l N` child instead and spawns nothing per collection.
import { diag } from '@opentelemetry/api';
import {
  negotiateFields,
  parseHelpQueryGpu,
  parseList,
  parseQueryGpuCsv,
  parseXml,
  QUERY_GPU_FIELDS,
} from '@mltel/nvidia-smi-parser';
import type { GpuReading } from '@mltel/nvidia-smi-parser';
import { devicesOf, migNamesOf } from '../devices.js';
import type { MigNames } from '../devices.js';
import type {
  CollectionFailureReason,
  CollectionResult,
  CollectionSuccess,
  GpuDevice,
  GpuQuerySource,
} from '../types.js';
import { failureOf, parseFailure } from './failure.js';
import type { Failure } from './failure.js';
import { LoopSampler } from './loop.js';
import { runProcess } from './spawn.js';
import type { ProcessOutcome } from './spawn.js';

/** Options of {@link NvidiaSmiRunner}. */
export interface RunnerOptions {
  path: string;
  timeoutMs: number;
  killGraceMs: number;
  source: GpuQuerySource;
  /** Per-process memory wanted: forces `-q -x` (the CSV query has no per-process figures). */
  processes: boolean;
  loopIntervalSeconds?: number;
  env: NodeJS.ProcessEnv;
}

/** A collection before timing is added. */
type Outcome = Failure | Omit<CollectionSuccess, 'durationSeconds' | 'run'>;

interface Negotiated {
  fields: string[];
  mode: 'csv' | 'xml';
  migNames: MigNames;
}

/** Runs nvidia-smi; never rejects, never throws. */
export class NvidiaSmiRunner {
  private inflight: Promise<CollectionResult> | undefined;
  private negotiated: Negotiated | undefined;
  private relist = false;
  private relisted = false;
  private runs = 0;
  private loop: LoopSampler | undefined;
  private closed = false;
  private readonly failures = new Map<CollectionFailureReason, number>();
  private exitCode: number | undefined;
  private spawnCount = 0;

  constructor(private readonly options: RunnerOptions) {}

  /** Failed collections so far, by reason (cumulative). */
  failureCounts(): ReadonlyMap<CollectionFailureReason, number> {
    return this.failures;
  }

  /** Exit code of the last nvidia-smi run that finished; undefined before the first. */
  lastExitCode(): number | undefined {
    return this.loop?.lastExitCode() ?? this.exitCode;
  }

  /** Children started so far (negotiation included). */
  spawns(): number {
    return this.spawnCount + (this.loop?.spawns() ?? 0);
  }

  /** One collection; concurrent callers share the run in flight. */
  collect(): Promise<CollectionResult> {
    if (this.inflight !== undefined) return this.inflight;
    const started = performance.now();
    const run = ++this.runs;
    this.inflight = this.collectNow()
      .catch((error: unknown): Failure => parseFailure(error, '', undefined, 'unexpected'))
      .then((result): CollectionResult => {
        const durationSeconds =
          this.options.loopIntervalSeconds !== undefined && result.ok ? 0 : (performance.now() - started) / 1000;
        // In loop mode the sampler counts each failure of its child once, as it happens.
        const loop = this.options.loopIntervalSeconds !== undefined && this.negotiated !== undefined;
        if (!result.ok && !loop) this.failures.set(result.reason, (this.failures.get(result.reason) ?? 0) + 1);
        return { ...result, durationSeconds, run } as CollectionResult;
      })
      .finally(() => {
        this.inflight = undefined;
      });
    return this.inflight;
  }

  /** Stops the loop child and forgets the negotiation; a run in flight finishes (bounded). */
  close(): void {
    this.closed = true;
    this.loop?.stop();
    this.loop = undefined;
  }

  private async exec(args: string[]): Promise<ProcessOutcome> {
    this.spawnCount++;
    const outcome = runProcess(this.options.path, args, {
      timeoutMs: this.options.timeoutMs,
      killGraceMs: this.options.killGraceMs,
      env: this.options.env,
    });
    const result = await outcome;
    if (result.spawnError === undefined) this.exitCode = result.exitCode;
    else this.exitCode = 127;
    return result;
  }

  private fail(outcome: ProcessOutcome): Failure | undefined {
    const failure = failureOf(outcome, this.options.path, this.options.timeoutMs);
    if (failure?.reason === 'not-found' && !this.options.path.includes('/')) {
      failure.message = `${this.options.path} was not found on PATH (${this.options.env.PATH ?? ''})`;
    }
    return failure;
  }

  private async collectNow(): Promise<Outcome> {
    if (this.negotiated === undefined || this.relist) {
      const negotiated = await this.negotiate();
      if ('ok' in negotiated) return negotiated;
      this.negotiated = negotiated;
      this.relist = false;
    }
    const negotiated = this.negotiated;
    if (this.options.loopIntervalSeconds !== undefined) return await this.fromLoop(negotiated);
    return negotiated.mode === 'xml' ? this.collectXml(negotiated) : this.collectCsv(negotiated);
  }

  /**
   * `-L` (MIG layout, which decides csv or xml) and, for csv and loop mode, `--help-query-gpu`
   * (which fields this driver knows): once, and again only when the MIG layout changes.
   */
  private async negotiate(): Promise<Negotiated | Failure> {
    let migNames: MigNames = new Map();
    let hasMig = false;
    const list = await this.exec(['-L']);
    const listFailure = this.fail(list);
    // An -L that fails for an unknown reason only costs the MIG UUIDs (see devicesOf).
    if (listFailure !== undefined && listFailure.reason !== 'exit-code') return listFailure;
    if (listFailure === undefined) {
      try {
        const gpus = parseList(list.stdout);
        migNames = migNamesOf(gpus);
        hasMig = gpus.some((g) => g.migDevices.length > 0);
      } catch {
        // as above
      }
    }
    const { source, processes, loopIntervalSeconds } = this.options;
    const mode =
      loopIntervalSeconds === undefined && (source === 'xml' || (source === 'auto' && (processes || hasMig)))
        ? 'xml'
        : 'csv';
    let fields = this.negotiated?.fields;
    if (mode === 'csv' && fields === undefined) {
      const help = await this.exec(['--help-query-gpu']);
      const failure = this.fail(help);
      if (failure !== undefined) return failure;
      try {
        const negotiation = negotiateFields(QUERY_GPU_FIELDS, parseHelpQueryGpu(help.stdout));
        fields = negotiation.fields;
        if (negotiation.unsupported.length > 0) {
          diag.debug(
            `mltel: this nvidia-smi does not know the fields ${negotiation.unsupported.join(', ')}; they are not queried`,
          );
        }
      } catch (error) {
        return parseFailure(error, help.stdout, help.exitCode, '--help-query-gpu');
      }
    }
    return { fields: fields ?? [], mode, migNames };
  }

  private async collectCsv(negotiated: Negotiated): Promise<Outcome> {
    // One retry at most: a field --help-query-gpu listed but the query rejects is dropped.
    for (let attempt = 0; ; attempt++) {
      const outcome = await this.exec([`--query-gpu=${negotiated.fields.join(',')}`, '--format=csv,noheader,nounits']);
      const failure = this.fail(outcome);
      if (failure?.reason === 'invalid-field' && attempt === 0) {
        const field = /Field "([^"]+)" is not a valid field/.exec(failure.output ?? '')?.[1];
        if (field !== undefined && negotiated.fields.includes(field)) {
          negotiated.fields = negotiated.fields.filter((f) => f !== field);
          diag.info(`mltel: nvidia-smi rejected the query field "${field}"; it is no longer queried`);
          continue;
        }
      }
      if (failure !== undefined) return failure;
      let readings: GpuReading[];
      try {
        readings = parseQueryGpuCsv(outcome.stdout, negotiated.fields);
      } catch (error) {
        return parseFailure(error, outcome.stdout, outcome.exitCode, '--query-gpu');
      }
      // MIG was turned on since -L ran: list again next time, which switches to -q -x. Once:
      // MIG mode on with no instance created stays on the CSV query.
      this.layoutChanged(this.options.source === 'auto' && readings.some((r) => r.migEnabled === true));
      return this.success(devicesOf(readings, negotiated.migNames), 'csv', outcome.exitCode);
    }
  }

  private async collectXml(negotiated: Negotiated): Promise<Outcome> {
    const outcome = await this.exec(['-q', '-x']);
    const failure = this.fail(outcome);
    if (failure !== undefined) return failure;
    try {
      const report = parseXml(outcome.stdout);
      // A MIG instance -L did not name: the layout changed. List again, once.
      let unknown = false;
      const devices = devicesOf(report.gpus, negotiated.migNames, report.driverVersion, () => {
        unknown = negotiated.migNames.size > 0;
      });
      this.layoutChanged(unknown);
      return this.success(devices, 'xml', outcome.exitCode);
    } catch (error) {
      return parseFailure(error, outcome.stdout, outcome.exitCode, '-q -x');
    }
  }

  private async fromLoop(negotiated: Negotiated): Promise<Outcome> {
    if (this.closed)
      return { ok: false, reason: 'exit-code', message: 'the GPU plugin is disabled', exitCode: undefined };
    this.loop ??= new LoopSampler({
      path: this.options.path,
      fields: negotiated.fields,
      intervalSeconds: this.options.loopIntervalSeconds!,
      env: this.options.env,
      killGraceMs: this.options.killGraceMs,
      onFailure: (failure) => {
        this.failures.set(failure.reason, (this.failures.get(failure.reason) ?? 0) + 1);
      },
    });
    const sample = this.loop.latest() ?? (await this.loop.nextSample(this.options.timeoutMs));
    if (sample === undefined) {
      const last = this.loop.lastFailure();
      return (
        last ?? {
          ok: false,
          reason: 'timeout',
          message: 'the nvidia-smi loop has not produced a sample yet',
          exitCode: undefined,
        }
      );
    }
    return this.success(devicesOf(sample, negotiated.migNames), 'loop', this.loop.lastExitCode());
  }

  /** Lists again before the next collection when the layout changed, but not twice in a row. */
  private layoutChanged(changed: boolean): void {
    if (changed && !this.relisted) this.relist = true;
    this.relisted = changed;
  }

  private success(devices: GpuDevice[], source: 'csv' | 'xml' | 'loop', exitCode: number | undefined) {
    return { ok: true as const, devices, source, exitCode };
  }
}
