// Line framing for byte streams (sockets, files) that arrive in arbitrary chunks.
// It splits on the '\n' byte and decodes each whole line at once: in UTF-8 the
// byte 0x0A never occurs inside a multi-byte character, so a character split
// across two chunks is joined again before it is decoded.

const NEWLINE = 0x0a;

export class LineTooLongError extends Error {
  constructor(readonly limit: number) {
    super(`line longer than ${limit} bytes`);
    this.name = 'LineTooLongError';
  }
}

export class LineSplitter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  /** @param maxLineBytes an unterminated line longer than this throws LineTooLongError (guards memory). */
  constructor(public maxLineBytes = Number.POSITIVE_INFINITY) {}

  /** The complete lines this chunk ends, without their '\n'. */
  push(chunk: Buffer): string[] {
    const lines: string[] = [];
    this.eachLine(chunk, (bytes, start, end) => {
      lines.push(bytes.toString('utf8', start, end));
    });
    return lines;
  }

  /**
   * Calls `onLine` with each complete line this chunk ends, as bytes:
   * `bytes[start..end)`, without its '\n' (a reader that decodes values
   * itself needs no string for the line). `bytes` may be the chunk itself.
   */
  eachLine(chunk: Buffer, onLine: (bytes: Buffer, start: number, end: number) => void): void {
    let start = 0;
    for (let newline = chunk.indexOf(NEWLINE); newline !== -1; newline = chunk.indexOf(NEWLINE, start)) {
      if (this.pending.length === 0) {
        // The common case: straight from the chunk (a subarray per line would cost a Buffer object).
        onLine(chunk, start, newline);
      } else {
        const whole = this.joinPending(chunk.subarray(start, newline));
        onLine(whole, 0, whole.length);
      }
      start = newline + 1;
    }
    this.keepRest(chunk, start);
  }

  /**
   * eachLine for a reader that finds the end of most lines itself, as it reads
   * them: `read(bytes, start)` reads the line at `start` and returns the index of
   * its '\n' (the first one after `start`), or -1 to have the line found by its
   * '\n' and given to `onLine` instead. `read` is only ever given a line whose
   * '\n' is in `bytes` (so it may read up to it without looking at the length):
   * a line begun in an earlier chunk is joined first, its '\n' included.
   */
  eachLineRead(
    chunk: Buffer,
    read: (bytes: Buffer, start: number) => number,
    onLine: (bytes: Buffer, start: number, end: number) => void,
  ): void {
    const lastNewline = chunk.lastIndexOf(NEWLINE);
    let start = 0;
    if (this.pending.length > 0 && lastNewline !== -1) {
      const newline = chunk.indexOf(NEWLINE);
      const whole = this.joinPending(chunk.subarray(0, newline + 1));
      if (read(whole, 0) === -1) onLine(whole, 0, whole.length - 1);
      start = newline + 1;
    }
    while (start <= lastNewline) {
      let newline = read(chunk, start);
      if (newline === -1) {
        newline = chunk.indexOf(NEWLINE, start);
        onLine(chunk, start, newline);
      }
      start = newline + 1;
    }
    this.keepRest(chunk, start);
  }

  /** The line begun in earlier chunks, ended by `tail`. */
  private joinPending(tail: Buffer): Buffer {
    const whole = Buffer.concat([...this.pending, tail]);
    this.pending = [];
    this.pendingBytes = 0;
    return whole;
  }

  /**
   * Keeps the chunk's unfinished last line (from `start`) for the next chunk: a
   * copy, so that a reader may read its next chunk into the same buffer.
   */
  private keepRest(chunk: Buffer, start: number): void {
    if (start >= chunk.length) return;
    this.pending.push(Buffer.from(chunk.subarray(start)));
    this.pendingBytes += chunk.length - start;
    if (this.pendingBytes > this.maxLineBytes) throw new LineTooLongError(this.maxLineBytes);
  }

  /** The last line if the stream did not end with '\n' (a file cut short), else undefined. */
  end(): string | undefined {
    if (this.pending.length === 0) return undefined;
    const rest = Buffer.concat(this.pending).toString('utf8');
    this.pending = [];
    this.pendingBytes = 0;
    return rest;
  }
}
