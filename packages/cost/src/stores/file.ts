import { diag } from '@opentelemetry/api';
import {
  closeSync,
  constants,
  fstatSync,
  mkdirSync,
  openSync,
  readSync,
  renameSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import type { Stats } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { MemoryStore } from './memory.js';

const VERSION = 1;

/** The largest budget store file read at start: a counter per budget and bucket is a few KiB. */
export const MAX_BUDGET_STORE_FILE_BYTES = 16 * 1024 * 1024;

function kindOf(stats: Stats): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a FIFO';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isSocket()) return 'a socket';
  return 'not a file';
}

function refuse(stats: Stats): void {
  if (!stats.isFile()) throw new Error(`not a regular file: ${kindOf(stats)}`);
  if (stats.size > MAX_BUDGET_STORE_FILE_BYTES) throw new Error(`larger than 16 MiB: ${stats.size} bytes`);
}

/**
 * The text of the file, or undefined when there is none. Read at start, synchronously, so it must
 * never wait or fill memory: a FIFO would block the open (and start-up) until a writer came,
 * /dev/zero never ends. Only a regular file of at most 16 MiB is opened (non-blocking, checked
 * again on the descriptor), and at most one byte past the limit is read.
 */
function readStoreFile(path: string): string | undefined {
  try {
    refuse(statSync(path));
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT') return undefined;
    throw error;
  }
  const fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  try {
    const stats = fstatSync(fd);
    refuse(stats);
    // Room for the file as it is and some growth; the limit still applies.
    const buffer = Buffer.allocUnsafe(Math.min(stats.size + 65_536, MAX_BUDGET_STORE_FILE_BYTES + 1));
    let length = 0;
    while (length < buffer.length) {
      const n = readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) break;
      length += n;
    }
    if (length > MAX_BUDGET_STORE_FILE_BYTES) throw new Error('larger than 16 MiB');
    if (length === buffer.length) throw new Error('it grew while it was read');
    return buffer.toString('utf8', 0, length);
  } finally {
    closeSync(fd);
  }
}

/**
 * Spend kept in a JSON file, so it survives a restart: read once at start, written after every
 * change (write to a temporary file, then rename: never a half-written file). One process per
 * file; replicas share spend through Redis instead. A file that cannot be parsed is reported
 * once and spend starts from zero (the bad file is kept beside it, `.corrupt`). A path that is
 * not a regular file of at most 16 MiB (a FIFO, a device) makes the constructor throw, unread.
 */
export class FileStore extends MemoryStore {
  override readonly description: string;
  private writing: Promise<void> | undefined;
  private dirty = false;
  private writeFailing = false;

  constructor(
    readonly path: string,
    now: () => number = Date.now,
  ) {
    super(now);
    this.description = `file ${path}`;
    this.load();
  }

  override async add(key: string, pico: bigint, expiresAt: number): Promise<bigint> {
    const total = this.addNow(key, pico, expiresAt);
    try {
      await this.save();
      this.writeFailing = false;
    } catch (error) {
      // The spend is counted (here, where this process reads it): rejecting would have the budget
      // set count it a second time. The file catches up with the next write that works.
      if (!this.writeFailing) {
        this.writeFailing = true;
        diag.warn(
          `mltel: the budget file ${this.path} could not be written (${error instanceof Error ? error.message : String(error)}); ` +
            'spend is counted in this process and written with the next change. Fix: check the file and its directory.',
        );
      }
    }
    return total;
  }

  override async close(): Promise<void> {
    await this.save();
  }

  /** Writes the file now, synchronously (for exit handlers). */
  saveSync(): void {
    this.expire();
    // A temporary file of its own: an asynchronous write may be under way with `.tmp`.
    writeFileSync(`${this.path}.sync.tmp`, this.serialise());
    renameSync(`${this.path}.sync.tmp`, this.path);
  }

  private serialise(): string {
    const counters: Record<string, { total: string; expiresAt: number }> = {};
    for (const [key, { total, expiresAt }] of this.counters) counters[key] = { total: total.toString(), expiresAt };
    return `${JSON.stringify({ version: VERSION, counters }, null, 1)}\n`;
  }

  // Writes coalesce: while one runs, later changes mark the file dirty and one more write follows.
  private async save(): Promise<void> {
    this.dirty = true;
    while (this.writing !== undefined) await this.writing;
    if (!this.dirty) return;
    this.dirty = false;
    this.expire();
    const text = this.serialise();
    this.writing = (async () => {
      await writeFile(`${this.path}.tmp`, text);
      await rename(`${this.path}.tmp`, this.path);
    })();
    try {
      await this.writing;
    } finally {
      this.writing = undefined;
    }
  }

  private load(): void {
    mkdirSync(dirname(this.path), { recursive: true });
    // Not a regular file, or too large: the constructor throws (nothing is renamed or written).
    const text = readStoreFile(this.path);
    if (text === undefined) return;
    try {
      const document = JSON.parse(text) as {
        version?: unknown;
        counters?: Record<string, { total: string; expiresAt: number }>;
      };
      if (document.version !== VERSION || typeof document.counters !== 'object' || document.counters === null) {
        throw new Error(`not a version ${VERSION} budget file`);
      }
      const now = this.now();
      for (const [key, counter] of Object.entries(document.counters)) {
        if (typeof counter?.expiresAt !== 'number' || counter.expiresAt <= now) continue;
        this.counters.set(key, { total: BigInt(counter.total), expiresAt: counter.expiresAt });
      }
    } catch (error) {
      this.counters.clear();
      try {
        renameSync(this.path, `${this.path}.corrupt`);
      } catch {
        // Keeping the bad file aside is a courtesy; the store works without it.
      }
      diag.warn(
        `mltel: the budget file ${this.path} could not be read (${error instanceof Error ? error.message : String(error)}); ` +
          `spend starts from zero and the file was moved to ${this.path}.corrupt. Fix: remove it, or restore a good copy.`,
      );
    }
  }
}
