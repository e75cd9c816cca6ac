import { createReadStream } from 'node:fs';
import type { LineEnding } from './csv-format.ts';

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;

/**
 * One cheap byte pass over an upload before any row is written, for the job-level failures Salesforce
 * reports on the file as a whole (reference §2): a BOM before a quoted header, line endings that differ
 * from the job's `lineEnding`, and (quirk `rejectEmbeddedNewline`) a line break inside a quoted value.
 * Returns the job's errorMessage, or undefined when the file passes.
 */
export async function scanUpload(
  file: string,
  lineEnding: LineEnding,
  rejectEmbeddedNewline: boolean,
): Promise<string | undefined> {
  const lineEndingError = `ClientInputError : LineEnding is invalid on user data. Current LineEnding setting is ${lineEnding}`;
  let inQuotes = false;
  let previous = -1;
  let first = true;
  for await (const chunk of createReadStream(file)) {
    const bytes = chunk as Buffer;
    let start = 0;
    if (first) {
      first = false;
      if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
        if (bytes[3] === QUOTE) return 'InvalidBatch : Failed to parse CSV. Found unescaped quote';
        start = 3;
      }
    }
    for (let i = start; i < bytes.length; i++) {
      const byte = bytes[i];
      if (byte === QUOTE) inQuotes = !inQuotes;
      else if (byte === LF) {
        if (inQuotes) {
          if (rejectEmbeddedNewline) return lineEndingError;
        } else if ((previous === CR) !== (lineEnding === 'CRLF')) {
          return lineEndingError;
        }
      } else if (byte === CR && inQuotes && rejectEmbeddedNewline) {
        return lineEndingError;
      }
      previous = byte ?? -1;
    }
  }
  return undefined;
}
