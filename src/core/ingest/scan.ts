// Reads positional event lines, `[v, v, ...]\n`, straight from the bytes of the
// file: no string for the line, no array per event, the same string reused for
// values that repeat (kinds, ids, locations), and the line's end found on the
// way rather than looked for first. A trace holds millions of lines; decoding
// each to a string and JSON.parse-ing it was most of what reading one cost, and
// most of the garbage.
//
// It reads only the plain lines the trace writer (json-lines.ts) writes: no
// whitespace, ASCII strings, integers. Anything else (an escape it leaves to
// JSON.parse aside) makes it give up on the line, and the reader parses that
// line with JSON.parse: a line always means exactly what JSON.parse says, and a
// line JSON.parse refuses is never read here either.
//
// Every byte it passes is checked to be printable, so the '\n' it stops at is
// the first one after the line's start (lines end where a search for '\n' ends
// them), and it never reads past that '\n' (but for a look at where a string
// it knows would end, isAt): given a line whose '\n' is there, it needs no
// check of the length of the bytes (and V8 no out-of-bounds case).

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const MINUS = 0x2d;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const NEWLINE = 0x0a;

/** Integers of at most this many digits are exact as they are summed up (< 2^53). */
const EXACT_DIGITS = 15;
const MAX_INT32 = 0x7fffffff;

/**
 * Strings already made, by a hash of their bytes: one slot per hash, the last
 * string wins. A value that repeats (a kind, a queue's id, a line of the program)
 * is found and reused; one that does not (an item's repr) costs a slot.
 */
export class StringCache {
  private readonly slots: string[];
  private readonly mask: number;

  constructor(bits = 12) {
    this.slots = new Array<string>(1 << bits).fill('');
    this.mask = (1 << bits) - 1;
  }

  /** The string of the ASCII bytes `bytes[start..end)`, whose hash is `hash`. */
  get(bytes: Buffer, start: number, end: number, hash: number): string {
    const slot = hash & this.mask;
    const known = this.slots[slot] ?? '';
    const length = end - start;
    if (known.length === length) {
      let i = 0;
      while (i < length && known.charCodeAt(i) === bytes[start + i]) i++;
      if (i === length) return known;
    }
    const made = bytes.toString('latin1', start, end);
    this.slots[slot] = made;
    return made;
  }
}

/**
 * A string value the scanner left as its bytes, `bytes[start..end)`, printable
 * ASCII with no escape (LineScanner.leaveAsBytes): one object, reused line after
 * line, valid only until the next line is read.
 */
export class ScannedText {
  bytes: Buffer = Buffer.alloc(0);
  start = 0;
  end = 0;

  toString(): string {
    return this.bytes.toString('latin1', this.start, this.end);
  }
}

/**
 * The lines of one kind, as the scanner saw them last: the string each place
 * held. Most of a kind's strings repeat line after line (its queue's id, the
 * program line that puts, the outcome): a string that matches the last one at
 * its place is known at once, its bytes gone through once, with no hash.
 */
class KindLines {
  readonly last: (string | undefined)[] = [];
  constructor(readonly kind: string, public leaveAt: number) {}
}

/** The kinds of the lines read last that are looked at first. */
const RECENT_KINDS = 4;
/** The most kinds whose lines are remembered: a file of made-up kinds cannot grow the scanner. */
const MAX_KINDS = 1024;

/**
 * Whether the string value whose characters start at `start` is `known`: the
 * same bytes, then its closing quote. `known` is a string the scanner read
 * (printable ASCII, no quote, no backslash), so bytes that match it are the
 * whole value, with no escape in it, and never run past the line's '\n'. The
 * quote is looked for first (most values that differ differ in length): a
 * byte past the '\n', but never past the end of `bytes`.
 */
function isAt(bytes: Buffer, start: number, known: string): boolean {
  const length = known.length;
  if (start + length >= bytes.length || bytes[start + length] !== QUOTE) return false;
  for (let i = 0; i < length; i++) if (known.charCodeAt(i) !== bytes[start + i]) return false;
  return true;
}

/** Reads plain event lines; see above. */
export class LineScanner {
  /**
   * The values of the line just read, `values[0..count)`, reused from line to
   * line. Made a list of any values from the start (`[null]`): an empty one
   * would hold the first line's small integers as doubles, boxed, and a pid
   * boxed once makes V8 box the pid of every event after it (their shared
   * shape learns "double").
   */
  readonly values: unknown[] = [null];
  count = 0;
  private readonly strings: StringCache;
  /**
   * The thread ident (the third value) of the last line that had one beyond
   * int32, as most are, and the value made of it: a number that big is an
   * object of its own, reused for the lines of the same thread rather than
   * made again for each.
   */
  private bigTid = 0;
  private bigTidValue: unknown = null;
  /** Where a kind's value is left as bytes (leaveAsBytes), by kind. */
  private readonly bytesPlaces = new Map<string, number>();
  /** The lines of each kind, and the kinds read last, latest first. */
  private readonly kinds = new Map<string, KindLines>();
  private readonly recentKinds: KindLines[] = [];
  /** The place of the value left as bytes in this line (-1: none). */
  private leftAt = -1;
  private readonly text = new ScannedText();

  constructor(cacheBits?: number) {
    this.strings = new StringCache(cacheBits);
  }

  /**
   * Leaves the string at `place` of each line of `kind` as its bytes, a
   * ScannedText, rather than making it a string (an item's repr: it is copied
   * as bytes, and most are never looked at). One whose JSON has an escape is
   * made a string all the same. makeStrings() makes it a string after all.
   */
  leaveAsBytes(kind: string, place: number): void {
    this.bytesPlaces.set(kind, place);
    const lines = this.kinds.get(kind);
    if (lines) lines.leaveAt = place;
  }

  /** The value of the line just read that was left as bytes, made a string in its place. */
  makeStrings(): void {
    if (this.leftAt >= 0 && this.values[this.leftAt] === this.text) this.values[this.leftAt] = this.text.toString();
    this.leftAt = -1;
  }

  /**
   * Reads the line that starts at `start` into `values`, and returns the index
   * of its '\n'; or -1 when it is not a plain line (the caller then looks for
   * the line's end and parses it with JSON.parse). The line's '\n' must be in
   * `bytes`.
   */
  read(bytes: Buffer, start: number): number {
    if (bytes[start] !== OPEN_BRACKET) return -1;
    const out = this.values;
    let count = 0;
    let at = start + 1;
    // The lines of this line's kind (the fourth value), once it is read.
    let lines: KindLines | undefined;
    let leaveAt = -1;
    this.leftAt = -1;
    for (;;) {
      const c = bytes[at] ?? 0;
      let value: unknown;
      if (c === QUOTE) {
        // A string known from the lines before: the kind among the recent ones, a later value
        // as the last line of its kind had it (not the one left as bytes).
        let known: string | undefined;
        if (count === 3) {
          lines = this.recentKindAt(bytes, at + 1);
          known = lines?.kind;
        } else if (count !== leaveAt) {
          const last = lines?.last[count];
          if (last !== undefined && isAt(bytes, at + 1, last)) known = last;
        }
        if (known !== undefined) {
          value = known;
          at += known.length + 2;
        } else {
          // A string: printable ASCII; an escape leaves the string to JSON.parse.
          let hash = 0;
          let escaped = false;
          let j = at + 1;
          for (;;) {
            const b = bytes[j] ?? 0;
            if (b === QUOTE) break;
            if (b < 0x20 || b >= 0x7f) return -1;
            if (b === BACKSLASH) {
              const next = bytes[j + 1] ?? 0;
              if (next < 0x20 || next >= 0x7f) return -1;
              escaped = true;
              j += 2;
              continue;
            }
            hash = (Math.imul(hash, 31) + b) | 0;
            j++;
          }
          if (escaped) {
            value = parsed(bytes, at, j + 1);
            if (value === undefined) return -1;
          } else if (count === leaveAt) {
            const text = this.text;
            text.bytes = bytes;
            text.start = at + 1;
            text.end = j;
            value = text;
            this.leftAt = count;
          } else {
            const made = this.strings.get(bytes, at + 1, j, hash);
            value = made;
            if (count === 3) lines = this.kindLines(made);
            else if (lines !== undefined) lines.last[count] = made;
          }
          at = j + 1;
        }
        // The kind says which value after it, if any, to leave as bytes.
        if (count === 3) leaveAt = lines?.leaveAt ?? -1;
      } else if (c === MINUS || (c >= ZERO && c <= NINE)) {
        const negative = c === MINUS;
        const first = negative ? at + 1 : at;
        let j = first;
        let n = 0;
        for (;;) {
          const b = bytes[j] ?? 0;
          if (b < ZERO || b > NINE) break;
          n = n * 10 + (b - ZERO);
          j++;
        }
        const digits = j - first;
        if (digits === 0 || (digits > 1 && bytes[first] === ZERO)) return -1;
        const next = bytes[j];
        if (next === DOT || next === 0x65 || next === 0x45 || digits > EXACT_DIGITS) {
          // A fraction, an exponent or a long integer: checked here, converted as JSON.parse does.
          j = numberEnd(bytes, j);
          if (j < 0) return -1;
          value = Number(bytes.toString('latin1', at, j));
        } else if (n > MAX_INT32) {
          if (count === 2 && n === this.bigTid && !negative) value = this.bigTidValue;
          else {
            value = negative ? -n : n;
            if (count === 2 && !negative) {
              this.bigTid = n;
              this.bigTidValue = value;
            }
          }
        }
        else if (n === 0) value = negative ? -0 : 0;
        // Made an int32 on purpose (`| 0`): summed up as a double, a pid or a seq would be boxed
        // as a heap number of its own, and the model keeps many of them (in every queue item).
        else value = negative ? -n | 0 : n | 0;
        at = j;
      } else if (c === 0x6e && bytes[at + 1] === 0x75 && bytes[at + 2] === 0x6c && bytes[at + 3] === 0x6c) {
        value = null;
        at += 4;
      } else if (c === 0x74 && bytes[at + 1] === 0x72 && bytes[at + 2] === 0x75 && bytes[at + 3] === 0x65) {
        value = true;
        at += 4;
      } else if (c === 0x66 && bytes[at + 1] === 0x61 && bytes[at + 2] === 0x6c && bytes[at + 3] === 0x73 && bytes[at + 4] === 0x65) {
        value = false;
        at += 5;
      } else if (c === OPEN_BRACKET || c === OPEN_BRACE) {
        // A list or an object (a stack, argv, the interpreter): rare, left to JSON.parse.
        const j = nestedEnd(bytes, at);
        if (j < 0) return -1;
        value = parsed(bytes, at, j);
        if (value === undefined) return -1;
        at = j;
      } else return -1;
      out[count++] = value;
      const separator = bytes[at];
      if (separator === COMMA) at++;
      else if (separator === CLOSE_BRACKET && bytes[at + 1] === NEWLINE) {
        this.count = count;
        return at + 1;
      } else return -1;
    }
  }

  /** The lines of the kind among the recent ones whose string starts at `start`, if one is. */
  private recentKindAt(bytes: Buffer, start: number): KindLines | undefined {
    for (const lines of this.recentKinds) if (isAt(bytes, start, lines.kind)) return lines;
    return undefined;
  }

  /** The lines of `kind` (a string of the cache, made of a kind's bytes), made the most recent kind. */
  private kindLines(kind: string): KindLines {
    let lines = this.kinds.get(kind);
    if (lines === undefined) {
      lines = new KindLines(kind, this.bytesPlaces.get(kind) ?? -1);
      if (this.kinds.size < MAX_KINDS) this.kinds.set(kind, lines);
    }
    if (this.recentKinds.length === RECENT_KINDS) this.recentKinds.pop();
    this.recentKinds.unshift(lines);
    return lines;
  }
}

/** JSON.parse of `bytes[start..end)` (ASCII), or undefined if it is not JSON. */
function parsed(bytes: Buffer, start: number, end: number): unknown {
  try {
    return JSON.parse(bytes.toString('latin1', start, end)) as unknown;
  } catch {
    return undefined;
  }
}

/** Where the number whose integer part ends at `at` ends (its fraction and exponent checked), or -1. */
function numberEnd(bytes: Buffer, at: number): number {
  let j = at;
  if (bytes[j] === DOT) {
    j = digitsEnd(bytes, j + 1);
    if (j < 0) return -1;
  }
  if (bytes[j] === 0x65 || bytes[j] === 0x45) {
    j++;
    if (bytes[j] === 0x2b || bytes[j] === MINUS) j++;
    j = digitsEnd(bytes, j);
    if (j < 0) return -1;
  }
  return j;
}

/** The end of one or more digits from `at`, or -1 if there is none. */
function digitsEnd(bytes: Buffer, at: number): number {
  let j = at;
  while (isDigit(bytes[j] ?? 0)) j++;
  return j > at ? j : -1;
}

function isDigit(b: number): boolean {
  return b >= ZERO && b <= NINE;
}

/** Just past the list or object that opens at `at` (strings inside skipped whole), or -1. Printable ASCII only. */
function nestedEnd(bytes: Buffer, at: number): number {
  let depth = 0;
  for (let j = at; ; j++) {
    const b = bytes[j] ?? 0;
    if (b < 0x20 || b >= 0x7f) return -1;
    if (b === QUOTE) {
      for (j++; bytes[j] !== QUOTE; j++) {
        const inside = bytes[j] ?? 0;
        if (inside < 0x20 || inside >= 0x7f) return -1;
        if (inside === BACKSLASH) {
          j++;
          const escaped = bytes[j] ?? 0;
          if (escaped < 0x20 || escaped >= 0x7f) return -1;
        }
      }
    } else if (b === OPEN_BRACKET || b === OPEN_BRACE) depth++;
    else if ((b === CLOSE_BRACKET || b === CLOSE_BRACE) && --depth === 0) return j + 1;
  }
}
