// Files named by variables are read at start-up, synchronously (start() is synchronous): so only
// a regular file, and only up to a size limit. A FIFO would block the open until a writer comes,
// /dev/zero never ends, a directory is an error, a huge file fills memory.
import { closeSync, constants, fstatSync, openSync, readSync, statSync } from 'node:fs';
import type { Stats } from 'node:fs';

function kindOf(stats: Stats): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a FIFO';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isSocket()) return 'a socket';
  return 'not a regular file';
}

const MiB = 1024 * 1024;

// The limit as people write it: `1 MiB` for whole mebibytes, else bytes.
function limitOf(maxBytes: number): string {
  return maxBytes >= MiB && maxBytes % MiB === 0 ? `${maxBytes / MiB} MiB` : `${maxBytes} bytes`;
}

function refusal(stats: Stats, maxBytes: number): string | undefined {
  if (!stats.isFile()) return `not a regular file: ${kindOf(stats)}`;
  if (stats.size > maxBytes) return `larger than ${limitOf(maxBytes)}: ${stats.size} bytes`;
  return undefined;
}

/**
 * The bytes of a regular file of at most `maxBytes`, or why not (never throws, never blocks):
 * stat first and open only a regular file, non-blocking; check the descriptor again (the path may
 * have been swapped meanwhile); read at most one byte past the limit (a file may grow).
 */
export function readSmallFile(path: string, maxBytes: number): { data: Buffer } | { why: string } {
  let fd: number | undefined;
  try {
    const before = refusal(statSync(path), maxBytes);
    if (before !== undefined) return { why: before };
    fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
    const after = refusal(fstatSync(fd), maxBytes);
    if (after !== undefined) return { why: after };
    const buffer = Buffer.allocUnsafe(maxBytes + 1);
    let length = 0;
    while (length < buffer.length) {
      const n = readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) break;
      length += n;
    }
    if (length > maxBytes) return { why: `larger than ${limitOf(maxBytes)}` };
    return { data: buffer.subarray(0, length) };
  } catch (error) {
    return { why: (error as { code?: string }).code ?? String(error) };
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
