// Reads the subset of Python's `marshal` format (version 4) that the runtime's
// batches use: None, booleans, ints of any size, floats, str, bytes, tuples,
// lists, dicts, sets and back-references. Python writes marshal five times
// faster than JSON, and the runtime's time is the program's time.
//
// While it reads, it can also write each value as JSON (`json`), the text
// JSON.stringify would give for the value read: the listener writes every event
// to the trace file, and walking the decoded values again to write the file was
// a third of its time. A value met again (a back-reference) has its text copied.
//
// The layout (CPython's Python/marshal.c): one type byte, its high bit (0x80)
// marking an object that later `r` (reference) records may point back to by
// index, in the order such objects begin; then the payload. Integers are
// little-endian.

export class MarshalError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

export type MarshalValue = null | boolean | number | string | MarshalValue[] | { [key: string]: MarshalValue };

import type { JsonLineBuffer } from '../json-lines';

const FLAG_REF = 0x80;
/** A reference slot whose value has no JSON text in the buffer (read while `json` was off). */
const NO_TEXT = -1;
/** V8 makes a string built by `+=` flat up to this length (ConsString::kMinLength is 13). */
const FLAT_CONCAT_LENGTH = 12;
const utf8 = new TextDecoder('utf-8');

export class MarshalReader {
  /**
   * Where `read()` writes each value's JSON text, if anywhere. Values read
   * while it is null have none, and a later reference to one is written from
   * the value itself.
   */
  json: JsonLineBuffer | null = null;
  private pos = 0;
  private readonly refs: MarshalValue[] = [];
  /** For each reference slot, where its JSON text starts and ends in `json` (NO_TEXT if it has none). */
  private readonly refTexts: number[] = [];
  private readonly view: DataView;
  /** The same bytes, for Buffer's decoders. */
  private readonly buffer: Buffer;

  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get atEnd(): boolean {
    return this.pos >= this.bytes.length;
  }

  /** The next value; throws MarshalError on anything outside the subset or cut short. */
  read(): MarshalValue {
    const code = this.byte();
    const flagged = (code & FLAG_REF) !== 0;
    const json = this.json;
    const textStart = json === null ? NO_TEXT : json.length;
    let value: MarshalValue;
    // Dispatch on the byte itself: a one-character string per value was a good
    // share of a batch's decoding time.
    switch (code & ~FLAG_REF) {
      case 0x4e: // N
        value = null;
        break;
      case 0x54: // T
        value = true;
        break;
      case 0x46: // F
        value = false;
        break;
      case 0x69: // i
        value = this.int32();
        break;
      case 0x6c: // l
        value = this.long();
        break;
      case 0x67: // g
        value = this.float64();
        break;
      case 0x7a: // z: short ASCII
      case 0x5a: // Z: short ASCII, interned
        value = this.latin1(this.byte());
        break;
      case 0x61: // a: ASCII
      case 0x41: // A: ASCII, interned
        value = this.latin1(this.size());
        break;
      case 0x75: // u: UTF-8
      case 0x74: // t: UTF-8, interned
        value = this.utf8(this.size());
        break;
      case 0x73: // s: bytes
        value = this.hex(this.size());
        break;
      case 0x29: // ): small tuple
        return this.sequence(flagged, this.byte());
      case 0x28: // ( tuple
      case 0x5b: // [ list
      case 0x3c: // < set
      case 0x3e: // > frozenset
        return this.sequence(flagged, this.size());
      case 0x7b: // { dict
        return this.dict(flagged);
      case 0x72: {
        // r: a reference to an earlier object
        const index = this.int32();
        if (index < 0 || index >= this.refs.length) throw new MarshalError(`reference ${index} out of range`);
        const referred = this.refs[index] as MarshalValue;
        if (json !== null) {
          const referredStart = this.refTexts[2 * index] ?? NO_TEXT;
          if (referredStart === NO_TEXT) json.value(referred);
          else json.repeat(referredStart, this.refTexts[2 * index + 1] ?? referredStart);
        }
        return referred;
      }
      default:
        throw new MarshalError(
          `unsupported marshal type ${JSON.stringify(String.fromCharCode(code & ~FLAG_REF))} at byte ${this.pos - 1}`,
        );
    }
    // A scalar: its text written as it is read.
    json?.value(value);
    if (flagged) this.keep(value, textStart);
    return value;
  }

  /**
   * If the next value is a tuple or list, reads its head and returns its
   * length: the caller reads its items (a frame's batch, an event, its values)
   * and writes its JSON text, if any. Otherwise reads nothing and returns -1.
   */
  sequenceStart(): number {
    const code = this.peek();
    let count: number;
    switch (code & ~FLAG_REF) {
      case 0x29: // ): small tuple
        this.pos++;
        count = this.byte();
        break;
      case 0x28: // ( tuple
      case 0x5b: // [ list
        this.pos++;
        count = this.size();
        break;
      default:
        return -1;
    }
    // Its slot must be taken, or later references would point at the wrong objects.
    if ((code & FLAG_REF) !== 0) this.keep([], NO_TEXT);
    return count;
  }

  private keep(value: MarshalValue, textStart: number): number {
    this.refs.push(value);
    this.refTexts.push(textStart, this.json === null || textStart === NO_TEXT ? NO_TEXT : this.json.length);
    return this.refs.length - 1;
  }

  /** Containers take their reference slot before their items, as CPython numbers them. */
  private sequence(flagged: boolean, count: number): MarshalValue[] {
    const items: MarshalValue[] = [];
    const json = this.json;
    const textStart = json === null ? NO_TEXT : json.length;
    const slot = flagged ? this.keep(items, NO_TEXT) : -1;
    json?.byte(0x5b); // [
    for (let i = 0; i < count; i++) {
      if (i > 0) json?.byte(0x2c); // ,
      items.push(this.read());
    }
    if (json !== null) {
      json.byte(0x5d); // ]
      if (slot >= 0) {
        this.refTexts[2 * slot] = textStart;
        this.refTexts[2 * slot + 1] = json.length;
      }
    }
    return items;
  }

  /** Dicts are rare (a process's interpreter info): read without JSON text, then written from the value. */
  private dict(flagged: boolean): Record<string, MarshalValue> {
    const dict: Record<string, MarshalValue> = {};
    const json = this.json;
    if (flagged) this.keep(dict, NO_TEXT);
    this.json = null;
    try {
      for (;;) {
        if (this.peek() === 0x30 /* '0': the end */) {
          this.pos++;
          break;
        }
        const key = this.read();
        const value = this.read();
        // defineProperty: a key named __proto__ is data too.
        Object.defineProperty(dict, typeof key === 'string' ? key : JSON.stringify(key), {
          value,
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
    } finally {
      this.json = json;
    }
    json?.value(dict);
    return dict;
  }

  private need(n: number): void {
    if (this.pos + n > this.bytes.length) throw new MarshalError('cut short');
  }

  private peek(): number {
    this.need(1);
    return this.view.getUint8(this.pos);
  }

  private byte(): number {
    this.need(1);
    return this.view.getUint8(this.pos++);
  }

  private int32(): number {
    this.need(4);
    const value = this.view.getInt32(this.pos, true);
    this.pos += 4;
    return value;
  }

  private size(): number {
    const n = this.int32();
    if (n < 0) throw new MarshalError('negative size');
    return n;
  }

  private float64(): number {
    this.need(8);
    const value = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return value;
  }

  /** CPython's long: a signed count of 15-bit digits, least significant first. */
  private long(): number {
    const n = this.int32();
    const digits = Math.abs(n);
    this.need(digits * 2);
    let value = 0;
    let scale = 1;
    for (let i = 0; i < digits; i++) {
      value += this.view.getUint16(this.pos, true) * scale;
      this.pos += 2;
      scale *= 32768;
    }
    return n < 0 ? -value : value;
  }

  private latin1(length: number): string {
    this.need(length);
    const bytes = this.bytes;
    const start = this.pos;
    this.pos += length;
    // The shortest strings are built directly: a decoder call costs more. Not
    // longer ones: V8 makes a string of over 12 characters built by `+=` a
    // chain of one object per character added (a 20-character repr kept 360
    // bytes, not 50, and the model keeps every item's repr).
    if (length > FLAT_CONCAT_LENGTH) return this.buffer.toString('latin1', start, start + length);
    let text = '';
    for (let i = start; i < start + length; i++) text += String.fromCharCode(bytes[i] ?? 0);
    return text;
  }

  private utf8(length: number): string {
    this.need(length);
    const text = utf8.decode(this.bytes.subarray(this.pos, this.pos + length));
    this.pos += length;
    return text;
  }

  private hex(length: number): string {
    this.need(length);
    const text = this.buffer.toString('hex', this.pos, this.pos + length);
    this.pos += length;
    return text;
  }
}

/** Decodes one whole marshal value; the bytes must hold exactly that value. */
export function unmarshal(bytes: Uint8Array): MarshalValue {
  const reader = new MarshalReader(bytes);
  const value = reader.read();
  if (!reader.atEnd) throw new MarshalError('bytes left after the value');
  return value;
}
