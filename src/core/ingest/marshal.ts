// Reads the subset of Python's `marshal` format (version 4) that the runtime's
// batches use: None, booleans, ints of any size, floats, str, bytes, tuples,
// lists, dicts, sets and back-references. Python writes marshal five times
// faster than JSON, and the runtime's time is the program's time.
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

const FLAG_REF = 0x80;
const utf8 = new TextDecoder('utf-8');

export class MarshalReader {
  private pos = 0;
  private readonly refs: MarshalValue[] = [];
  private readonly view: DataView;

  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get atEnd(): boolean {
    return this.pos >= this.bytes.length;
  }

  /** The next value; throws MarshalError on anything outside the subset or cut short. */
  read(): MarshalValue {
    const code = this.byte();
    const flagged = (code & FLAG_REF) !== 0;
    // Dispatch on the byte itself: a one-character string per value was a good
    // share of a batch's decoding time.
    switch (code & ~FLAG_REF) {
      case 0x4e: // N
        return this.keep(flagged, null);
      case 0x54: // T
        return this.keep(flagged, true);
      case 0x46: // F
        return this.keep(flagged, false);
      case 0x69: // i
        return this.keep(flagged, this.int32());
      case 0x6c: // l
        return this.keep(flagged, this.long());
      case 0x67: // g
        return this.keep(flagged, this.float64());
      case 0x7a: // z: short ASCII
      case 0x5a: // Z: short ASCII, interned
        return this.keep(flagged, this.latin1(this.byte()));
      case 0x61: // a: ASCII
      case 0x41: // A: ASCII, interned
        return this.keep(flagged, this.latin1(this.size()));
      case 0x75: // u: UTF-8
      case 0x74: // t: UTF-8, interned
        return this.keep(flagged, this.utf8(this.size()));
      case 0x73: // s: bytes
        return this.keep(flagged, this.hex(this.size()));
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
        return this.refs[index] as MarshalValue;
      }
      default:
        throw new MarshalError(
          `unsupported marshal type ${JSON.stringify(String.fromCharCode(code & ~FLAG_REF))} at byte ${this.pos - 1}`,
        );
    }
  }

  private keep(flagged: boolean, value: MarshalValue): MarshalValue {
    if (flagged) this.refs.push(value);
    return value;
  }

  /** Containers take their reference slot before their items, as CPython numbers them. */
  private sequence(flagged: boolean, count: number): MarshalValue[] {
    const items: MarshalValue[] = [];
    if (flagged) this.refs.push(items);
    for (let i = 0; i < count; i++) items.push(this.read());
    return items;
  }

  private dict(flagged: boolean): Record<string, MarshalValue> {
    const dict: Record<string, MarshalValue> = {};
    if (flagged) this.refs.push(dict);
    for (;;) {
      if (this.peek() === 0x30 /* '0': the end */) {
        this.pos++;
        return dict;
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
    // Short ASCII strings are most of a batch: building them directly beats a decoder call.
    if (length <= 64) {
      let text = '';
      for (let i = start; i < start + length; i++) text += String.fromCharCode(bytes[i] ?? 0);
      return text;
    }
    return Buffer.from(bytes.buffer, bytes.byteOffset + start, length).toString('latin1');
  }

  private utf8(length: number): string {
    this.need(length);
    const text = utf8.decode(this.bytes.subarray(this.pos, this.pos + length));
    this.pos += length;
    return text;
  }

  private hex(length: number): string {
    this.need(length);
    const text = Buffer.from(this.bytes.buffer, this.bytes.byteOffset + this.pos, length).toString('hex');
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
