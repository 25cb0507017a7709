// Writes JSON lines straight into bytes: the text JSON.stringify would give,
// without building a string per line. A run can send a million events, and on
// a machine the traced program already keeps busy, the listener's time is taken
// from the program; strings and their garbage were most of it.

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const HEX = '0123456789abcdef';

export class JsonLineBuffer {
  private buf: Buffer;
  private pos = 0;

  constructor(private readonly initialBytes = 1 << 20) {
    this.buf = Buffer.allocUnsafe(initialBytes);
  }

  get length(): number {
    return this.pos;
  }

  /** Hands over the bytes written so far and starts afresh. */
  take(): Buffer {
    const out = this.buf.subarray(0, this.pos);
    this.buf = Buffer.allocUnsafe(this.initialBytes);
    this.pos = 0;
    return out;
  }

  /** One value and a newline. */
  line(value: unknown): void {
    this.value(value);
    this.byte(0x0a);
  }

  /**
   * The bytes written so far are `bytes.subarray(0, length)`; the buffer
   * itself changes when it grows or is taken, so hold it no longer than that.
   */
  get bytes(): Buffer {
    return this.buf;
  }

  /** Forgets what was written from `length` on (a line that turned out malformed, or bytes written to the file). */
  truncate(length: number): void {
    if (length < this.pos) this.pos = Math.max(0, length);
  }

  /** One byte: a bracket, a comma, a newline. */
  byte(value: number): void {
    this.room(1);
    this.buf[this.pos++] = value;
  }

  /** Copies bytes from `source` (lines written elsewhere). */
  copyFrom(source: Uint8Array, start: number, end: number): void {
    this.room(end - start);
    this.buf.set(source.subarray(start, end), this.pos);
    this.pos += end - start;
  }

  /** Writes again the bytes this buffer holds from `start` to `end` (a value seen before). */
  repeat(start: number, end: number): void {
    this.room(end - start);
    this.buf.copyWithin(this.pos, start, end);
    this.pos += end - start;
  }

  private room(bytes: number): void {
    if (this.pos + bytes <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + bytes));
    this.buf.copy(bigger, 0, 0, this.pos);
    this.buf = bigger;
  }

  value(value: unknown): void {
    if (typeof value === 'number') this.number(value);
    else if (typeof value === 'string') this.string(value);
    else if (value === null || value === undefined) this.ascii('null');
    else if (value === true) this.ascii('true');
    else if (value === false) this.ascii('false');
    else if (Array.isArray(value)) {
      this.byte(0x5b); // [
      for (let i = 0; i < value.length; i++) {
        if (i > 0) this.byte(0x2c); // ,
        this.value(value[i] === undefined ? null : value[i]);
      }
      this.byte(0x5d); // ]
    } else this.utf8(JSON.stringify(value)); // objects are rare (a process's interpreter info)
  }

  number(value: number): void {
    if (Number.isSafeInteger(value) && !Object.is(value, -0)) this.integer(value);
    else this.ascii(Number.isFinite(value) ? String(value) : 'null');
  }

  /** A safe integer's digits, written in place: 3-5 times faster than String(value) and a copy (times, pids, thread ids). */
  private integer(value: number): void {
    this.room(17);
    const buf = this.buf;
    let n = value;
    if (n < 0) {
      buf[this.pos++] = 0x2d; // -
      n = -n;
    }
    let digits = 1;
    for (let power = 10; power <= n && digits < 16; power *= 10) digits++;
    const end = this.pos + digits;
    let at = end;
    while (n >= 10) {
      const rest = Math.floor(n / 10);
      buf[--at] = 0x30 + (n - rest * 10);
      n = rest;
    }
    buf[--at] = 0x30 + n;
    this.pos = end;
  }

  private ascii(text: string): void {
    this.room(text.length);
    for (let i = 0; i < text.length; i++) this.buf[this.pos++] = text.charCodeAt(i);
  }

  private utf8(text: string): void {
    this.room(text.length * 3);
    this.pos += this.buf.write(text, this.pos, 'utf8');
  }

  private string(text: string): void {
    // Worst case for ASCII: every character a \u00XX escape.
    this.room(text.length * 6 + 2);
    const buf = this.buf;
    const start = this.pos;
    let pos = start;
    buf[pos++] = QUOTE;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c >= 0x80) {
        // Beyond ASCII (and lone surrogates): JSON.stringify knows the rules.
        this.pos = start;
        this.utf8(JSON.stringify(text));
        return;
      }
      if (c >= 0x20 && c !== QUOTE && c !== BACKSLASH) buf[pos++] = c;
      else pos = escape(buf, pos, c);
    }
    buf[pos++] = QUOTE;
    this.pos = pos;
  }
}

/** Writes the escape of an ASCII quote, backslash or control character at `pos`; returns the position after it. */
function escape(buf: Buffer, pos: number, c: number): number {
  buf[pos++] = BACKSLASH;
  if (c === QUOTE || c === BACKSLASH) {
    buf[pos++] = c;
    return pos;
  }
  const short = c === 0x0a ? 0x6e : c === 0x0d ? 0x72 : c === 0x09 ? 0x74 : c === 0x08 ? 0x62 : c === 0x0c ? 0x66 : 0;
  if (short) {
    buf[pos++] = short;
    return pos;
  }
  buf[pos++] = 0x75; // u00XX
  buf[pos++] = 0x30;
  buf[pos++] = 0x30;
  buf[pos++] = HEX.charCodeAt(c >> 4);
  buf[pos++] = HEX.charCodeAt(c & 15);
  return pos;
}
