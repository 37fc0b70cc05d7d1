import { describe, expect, it } from 'vitest';
import { ML_PIPELINE_STAGE_VALUES } from '@mltel/semconv';
import { WarnOnce } from '@mltel/kit';
import { captureDiag, setup } from '../test/harness.js';
import { PipelineAttributes } from './attributes.js';

const STAGE = 'ml.pipeline.stage.duration';
const TOTAL = 'ml.pipeline.duration';

function attributes(options: ConstructorParameters<typeof PipelineAttributes>[0] = {}) {
  return new PipelineAttributes({ pipelineName: 'rerank', ...options }, new WarnOnce());
}

describe('PipelineAttributes', () => {
  it('admits the standard stages, the user stages and no unbounded others', async () => {
    const { meter, collect } = setup({ stages: ['rerank_merge'] });
    const t = meter.timeline();
    for (const s of ML_PIPELINE_STAGE_VALUES) t.add(s, 0.001);
    t.add('rerank_merge', 0.001).add('request-1234', 0.001).add('request-5678', 0.001);
    t.end();
    const stages = (await collect()).histograms(STAGE).map((p) => p.attributes['ml.pipeline.stage']);
    expect(stages).toHaveLength(ML_PIPELINE_STAGE_VALUES.length + 2);
    expect(stages).toContain('_OTHER');
    expect(stages).toContain('rerank_merge');
    expect(stages).not.toContain('request-1234');
  });

  it('without a stage list, admits 20 custom stages as first seen, then _OTHER', () => {
    const a = attributes();
    const custom = Array.from({ length: 21 }, (_, i) => `stage-${i}`);
    expect(custom.map((s) => a.stage(s))).toEqual([...custom.slice(0, 20), '_OTHER']);
    expect(a.stage('tokenize')).toBe('tokenize');
    expect(a.stage(undefined)).toBeUndefined();
  });

  it('models: an allow-list with prefixes, else the first 20', () => {
    const listed = attributes({ models: ['bge-*', 'ms-marco-MiniLM'] });
    expect(['bge-reranker-v2', 'ms-marco-MiniLM', 'gpt-4o'].map((m) => listed.model(m))).toEqual([
      'bge-reranker-v2',
      'ms-marco-MiniLM',
      '_OTHER',
    ]);
    const open = attributes();
    const models = Array.from({ length: 21 }, (_, i) => `m${i}`);
    expect(models.map((m) => open.model(m)).at(-1)).toBe('_OTHER');
    expect(open.model(3)).toBeUndefined();
  });

  it('error types come from the error; versions are cut to 64 characters', () => {
    const a = attributes();
    expect(a.errorType(new TypeError('x'))).toBe('TypeError');
    expect(a.errorType({ code: 'ECONNRESET' })).toBe('ECONNRESET');
    expect(a.version('v'.repeat(70))).toBe('v'.repeat(64));
    expect(a.version('')).toBeUndefined();
    expect(a.version(2)).toBeUndefined();
  });

  it('a pipeline name that is not a string is _OTHER; attribute sets are built once', () => {
    const a = new PipelineAttributes({ pipelineName: 42 as never }, new WarnOnce());
    expect(a.pipeline('', undefined)).toEqual({ 'ml.pipeline.name': '_OTHER' });
    expect(a.pipeline('', 'TypeError')).toBe(a.pipeline('', 'TypeError'));
    expect(a.stageByName('tokenize', '')).toBe(a.stageOf('tokenize', ''));
    expect(a.stageByName(null, '')).toBeUndefined();
  });

  it('labels each instrument with its attributes and the worker', () => {
    const a = attributes({ workerPool: { type: 'model', size: 4 }, workerId: 2 });
    const worker = a.workerKey(undefined);
    expect(worker).toBe('2');
    expect(a.inference('m', 'v1', 'TypeError', worker)).toEqual({
      'ml.model.name': 'm',
      'ml.model.version': 'v1',
      'error.type': 'TypeError',
      'ml.worker.type': 'model',
      'ml.worker.id': '2',
    });
    expect(a.inference('m', '', '', '')).toEqual({ 'ml.model.name': 'm', 'ml.worker.type': 'model' });
    expect(a.batch('m', '0')).toEqual({ 'ml.model.name': 'm', 'ml.worker.type': 'model', 'ml.worker.id': '0' });
    expect(a.tokens('padding', 'm', '')).toEqual({
      'ml.model.name': 'm',
      'ml.token.kind': 'padding',
      'ml.worker.type': 'model',
    });
  });

  it('a bad pool size leaves ml.worker.id out, with one warning per meter', () => {
    const diag = captureDiag();
    for (const size of [0, 1025, 2.5]) {
      const a = attributes({ workerPool: { type: 'model', size } });
      expect(a.workerKey(0)).toBe('');
    }
    const none = 'mltel: ml.worker.id needs a workerPool option ({ type, size }); the attribute is left out';
    expect(diag.warnings.filter((w) => w.startsWith('mltel:'))).toEqual([
      'mltel: workerPool.size must be an integer from 1 to 1024, got number 0; ml.worker.id is left out',
      none,
      'mltel: workerPool.size must be an integer from 1 to 1024, got number 1025; ml.worker.id is left out',
      none,
      'mltel: workerPool.size must be an integer from 1 to 1024, got number 2.5; ml.worker.id is left out',
      none,
    ]);
  });
});

describe('worker attributes', () => {
  it('labels with ml.worker.type and ml.worker.id inside the pool, leaves out ids outside it with one warning', async () => {
    const diag = captureDiag();
    const { meter, collect } = setup({ workerPool: { type: 'model', size: 4 } });
    meter.timeline({ workerId: 3 }).end();
    meter.timeline({ workerId: 7 }).end();
    meter.timeline({ workerId: -1 }).end();
    meter.timeline().end({ workerId: 0 });
    const points = (await collect())
      .histograms(TOTAL)
      .map((p) => [p.attributes['ml.worker.id'], p.attributes['ml.worker.type'], p.count]);
    expect(points).toEqual([
      [undefined, 'model', 2],
      ['0', 'model', 1],
      ['3', 'model', 1],
    ]);
    expect(diag.warnings.filter((w) => w.includes('ml.worker.id'))).toHaveLength(1);
  });
});
