// Reads a reference profile from JSON text or a parsed object, checking everything the monitor
// relies on. Never throws: a problem comes back as a one-line reason.
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import type { Stats } from 'node:fs';
import { binCount } from '../stats/bins.js';
import { QuantileSketch } from '../stats/quantile-sketch.js';
import type { FeatureProfile, ReferenceProfile } from './types.js';
import { PROFILE_FORMAT, PROFILE_VERSION } from './types.js';

/** Most features a profile may have. */
export const MAX_PROFILE_FEATURES = 10_000;
/** Longest feature name or category. */
export const MAX_NAME_LENGTH = 128;
/** Most categories a categorical feature may keep. */
export const MAX_PROFILE_CATEGORIES = 1000;
/** Most bin edges a numeric feature may have. */
export const MAX_PROFILE_EDGES = 1001;
/** Largest profile file readProfileFile reads (64 MiB); a larger one is refused unread. */
export const MAX_PROFILE_BYTES = 64 * 1024 * 1024;

/** The outcome of reading a profile. */
export type ParsedProfile = { ok: true; profile: ReferenceProfile } | { ok: false; reason: string };

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isName = (v: unknown): v is string => typeof v === 'string' && v !== '' && v.length <= MAX_NAME_LENGTH;

function checkNumeric(f: Record<string, unknown>, where: string): string | undefined {
  const { edges, counts } = f;
  if (!Array.isArray(edges) || edges.length > MAX_PROFILE_EDGES)
    return `${where}.edges must be an array of at most ${MAX_PROFILE_EDGES} numbers`;
  for (let i = 0; i < edges.length; i++) {
    const e: unknown = edges[i];
    if (typeof e !== 'number' || !Number.isFinite(e) || (i > 0 && !(e > (edges[i - 1] as number)))) {
      return `${where}.edges must be finite and strictly increasing`;
    }
  }
  if (
    edges.length > 0 &&
    (!Array.isArray(counts) || counts.length !== binCount(edges.length) || !counts.every(isCount))
  ) {
    return `${where}.counts must hold ${binCount(edges.length)} non-negative integers`;
  }
  if (QuantileSketch.fromJSON(f.sketch) === undefined) return `${where}.sketch is not a valid quantile sketch`;
  return undefined;
}

function checkCategorical(f: Record<string, unknown>, where: string): string | undefined {
  const { categories, counts } = f;
  if (!Array.isArray(categories) || categories.length > MAX_PROFILE_CATEGORIES || !categories.every(isName)) {
    return `${where}.categories must be at most ${MAX_PROFILE_CATEGORIES} non-empty strings of at most ${MAX_NAME_LENGTH} characters`;
  }
  if (new Set(categories).size !== categories.length) return `${where}.categories has duplicates`;
  if (!Array.isArray(counts) || counts.length !== categories.length + 1 || !counts.every(isCount)) {
    return `${where}.counts must hold one non-negative integer per category plus one for "other"`;
  }
  return undefined;
}

function checkFeature(value: unknown, where: string, type?: FeatureProfile['type']): string | undefined {
  if (typeof value !== 'object' || value === null) return `${where} must be an object`;
  const f = value as Record<string, unknown>;
  if (!isName(f.name)) return `${where}.name must be a non-empty string of at most ${MAX_NAME_LENGTH} characters`;
  if (!isCount(f.count) || !isCount(f.invalid)) return `${where}.count and .invalid must be non-negative integers`;
  if (f.type !== 'numeric' && f.type !== 'categorical') return `${where}.type must be "numeric" or "categorical"`;
  if (type !== undefined && f.type !== type) return `${where}.type must be "${type}"`;
  return f.type === 'numeric' ? checkNumeric(f, where) : checkCategorical(f, where);
}

/** Checks a profile given as JSON text or as a parsed object. */
export function parseProfile(input: unknown): ParsedProfile {
  let value = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input);
    } catch (error) {
      return { ok: false, reason: `not valid JSON (${error instanceof Error ? error.message : String(error)})` };
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return { ok: false, reason: 'not a JSON object' };
  const p = value as Record<string, unknown>;
  if (p.format !== PROFILE_FORMAT) return { ok: false, reason: `"format" is not "${PROFILE_FORMAT}"` };
  if (!isCount(p.version) || p.version < 1) return { ok: false, reason: '"version" must be a positive integer' };
  if (p.version > PROFILE_VERSION) {
    return {
      ok: false,
      reason: `profile version ${p.version} is newer than this @mltel/quality reads (${PROFILE_VERSION}); upgrade @mltel/quality or rebuild the profile with this version`,
    };
  }
  if (!isCount(p.rows)) return { ok: false, reason: '"rows" must be a non-negative integer' };
  if (!Array.isArray(p.features) || p.features.length > MAX_PROFILE_FEATURES) {
    return { ok: false, reason: `"features" must be an array of at most ${MAX_PROFILE_FEATURES} features` };
  }
  const names = new Set<string>();
  for (let i = 0; i < p.features.length; i++) {
    const problem = checkFeature(p.features[i], `features[${i}]`);
    if (problem) return { ok: false, reason: problem };
    const name = (p.features[i] as FeatureProfile).name;
    if (names.has(name)) return { ok: false, reason: `feature "${name}" appears twice` };
    names.add(name);
  }
  if (p.confidence !== undefined) {
    const problem = checkFeature(p.confidence, 'confidence', 'numeric');
    if (problem) return { ok: false, reason: problem };
  }
  if (p.prediction !== undefined) {
    const problem = checkFeature(p.prediction, 'prediction', 'categorical');
    if (problem) return { ok: false, reason: problem };
  }
  return { ok: true, profile: value as ReferenceProfile };
}

/** What a file that is not a regular file is, for the message. */
function kindOf(stat: Stats): string {
  if (stat.isDirectory()) return 'a directory';
  if (stat.isFIFO()) return 'a FIFO';
  if (stat.isCharacterDevice()) return 'a character device';
  if (stat.isBlockDevice()) return 'a block device';
  if (stat.isSocket()) return 'a socket';
  return 'not a file';
}

/** The file's bytes: a regular file of at most MAX_PROFILE_BYTES, else a reason. */
function readBounded(path: string): { text: string } | { reason: string } {
  // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer for ever. It changes
  // nothing for a regular file. (Not defined on Windows, where there is no such wait.)
  const fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) return { reason: `${path} is not a regular file (${kindOf(stat)})` };
    const tooBig = (size: number) => ({
      reason: `${path} is ${size} bytes, more than a profile may have (${MAX_PROFILE_BYTES / 1048576} MiB)`,
    });
    if (stat.size > MAX_PROFILE_BYTES) return tooBig(stat.size);
    // Read to the end, not stat.size bytes: the file may grow meanwhile; never past the limit.
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(1 << 20, MAX_PROFILE_BYTES + 1 - total));
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      chunks.push(chunk.subarray(0, n));
      total += n;
      if (total > MAX_PROFILE_BYTES) return tooBig(total);
    }
    return { text: Buffer.concat(chunks, total).toString('utf8') };
  } finally {
    closeSync(fd);
  }
}

/**
 * Reads and checks a profile file: a regular file of at most MAX_PROFILE_BYTES (a FIFO, a device
 * or a directory is refused at once, never waited on). Never throws.
 */
export function readProfileFile(path: string): ParsedProfile {
  let read: { text: string } | { reason: string };
  try {
    read = readBounded(path);
  } catch (error) {
    return { ok: false, reason: `cannot read ${path} (${error instanceof Error ? error.message : String(error)})` };
  }
  if ('reason' in read) return { ok: false, reason: read.reason };
  return parseProfile(read.text);
}
