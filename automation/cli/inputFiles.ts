/**
 * Reading the files a user points the CLI at (stack files, scenarios). Only a regular file of a
 * sane size is read: a FIFO would block the read forever, a device never ends, a directory fails
 * with a code instead of a sentence, and a stray multi-gigabyte file would exhaust memory before
 * the parser could say it is not a stack file.
 */
import * as fs from "node:fs";

/** The largest input file read; stack files and scenarios are a few kilobytes. */
export const MAX_INPUT_BYTES = 1024 * 1024;

/** A file's text, or why it cannot be used (a phrase that follows the file's name). */
export type InputFile = { readonly text: string } | { readonly problem: string };

/**
 * Why the file at `absolute` cannot be read as an input, or undefined when it can: it exists, is a
 * regular file (after symlinks) and is at most MAX_INPUT_BYTES.
 */
export function inputFileProblem(absolute: string): string | undefined {
  let stats: fs.Stats;
  try {
    stats = fs.statSync(absolute);
  } catch (error) {
    return `cannot be read: ${describeFsError(error)}`;
  }
  if (!stats.isFile()) return `is ${kindOf(stats)}, not a regular file, so it is not read`;
  if (stats.size > MAX_INPUT_BYTES) {
    return `is ${formatBytes(stats.size)}, over the ${formatBytes(MAX_INPUT_BYTES)} an input file may have, so it is not read`;
  }
  return undefined;
}

/** Reads the file when inputFileProblem finds nothing wrong with it. */
export function readInputFile(absolute: string): InputFile {
  const problem = inputFileProblem(absolute);
  if (problem !== undefined) return { problem };
  try {
    return { text: fs.readFileSync(absolute, "utf8") };
  } catch (error) {
    return { problem: `cannot be read: ${describeFsError(error)}` };
  }
}

/** `ENOENT (no such file or directory)` from a Node file-system error; the message otherwise. */
export function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  const known: Record<string, string> = {
    ENOENT: "no such file or directory",
    EACCES: "permission denied",
    EISDIR: "it is a directory",
    ENOTDIR: "a part of the path is not a directory",
    ELOOP: "too many symbolic links",
    ENAMETOOLONG: "the name is too long",
  };
  if (code !== undefined && known[code] !== undefined) return `${code} (${known[code]})`;
  return error instanceof Error ? error.message : String(error);
}

function kindOf(stats: fs.Stats): string {
  if (stats.isDirectory()) return "a directory";
  if (stats.isFIFO()) return "a FIFO (named pipe)";
  if (stats.isSocket()) return "a socket";
  if (stats.isCharacterDevice()) return "a character device";
  if (stats.isBlockDevice()) return "a block device";
  return "a special file";
}

function formatBytes(bytes: number): string {
  if (bytes < 1024 * 1024) return `${Math.ceil(bytes / 1024)} KiB`;
  return `${(bytes / (1024 * 1024)).toFixed(bytes % (1024 * 1024) === 0 ? 0 : 1)} MiB`;
}
