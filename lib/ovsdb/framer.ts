// Incremental framing for JSON-RPC over a byte stream. OVSDB (RFC 7047 §2) sends
// bare JSON objects back to back with no delimiter, so message boundaries are found
// by tracking nesting depth outside string literals. The scan works on bytes:
// every delimiter is ASCII and UTF-8 continuation bytes are >= 0x80, so a multi-byte
// character split across chunks never confuses it; decoding happens once per message.
import { FramingError } from './errors.ts';
import { errorMessage } from '../log.ts';

const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

function isJsonWhitespace(b: number): boolean {
  return b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d;
}

export const DEFAULT_MAX_MESSAGE_BYTES = 128 * 1024 * 1024;

export class JsonFramer {
  readonly #maxBytes: number;
  #chunks: Buffer[] = [];
  #bytes = 0;
  #depth = 0;
  #inString = false;
  #escaped = false;
  #failed: FramingError | undefined;

  constructor(maxBytes: number = DEFAULT_MAX_MESSAGE_BYTES) {
    this.#maxBytes = maxBytes;
  }

  /** Bytes held for an incomplete message. */
  get pendingBytes(): number {
    return this.#bytes;
  }

  /**
   * Feeds one chunk and returns the complete messages it finished, in order.
   * Throws FramingError on garbage or an oversized message; the framer stays failed
   * afterwards because the stream position is lost.
   */
  push(chunk: Uint8Array): unknown[] {
    if (this.#failed) throw this.#failed;
    const messages: unknown[] = [];
    let start = 0;
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i] ?? 0;
      if (this.#inString) {
        this.#scanStringByte(b);
      } else if (this.#depth === 0 && this.#isGapByte(b)) {
        start = i + 1;
      } else if (this.#scanStructuralByte(b)) {
        messages.push(this.#complete(chunk.subarray(start, i + 1)));
        start = i + 1;
      }
    }
    this.#holdIncomplete(chunk.subarray(start));
    return messages;
  }

  /** Inside a string literal only the closing quote matters, unless escaped. */
  #scanStringByte(b: number): void {
    if (this.#escaped) this.#escaped = false;
    else if (b === BACKSLASH) this.#escaped = true;
    else if (b === QUOTE) this.#inString = false;
  }

  /** Between messages: true for whitespace to skip; anything but '{' is garbage. */
  #isGapByte(b: number): boolean {
    if (isJsonWhitespace(b)) return true;
    if (b !== OPEN_BRACE) {
      throw this.#fail(`expected '{' at the start of a JSON-RPC message, got ${describeByte(b)}`);
    }
    return false;
  }

  /** Tracks nesting outside strings; true when `b` closes the outermost object. */
  #scanStructuralByte(b: number): boolean {
    if (b === QUOTE) this.#inString = true;
    else if (b === OPEN_BRACE || b === OPEN_BRACKET) this.#depth++;
    else if (b === CLOSE_BRACE || b === CLOSE_BRACKET) {
      this.#depth--;
      return this.#depth === 0;
    }
    return false;
  }

  /** Keeps the unfinished tail of a message for the next chunk. */
  #holdIncomplete(rest: Uint8Array): void {
    if (rest.length === 0 || !(this.#depth > 0 || this.#inString)) return;
    this.#bytes += rest.length;
    if (this.#bytes > this.#maxBytes) {
      throw this.#fail(`message exceeds ${this.#maxBytes} bytes without completing`);
    }
    // Copy: the socket may reuse the chunk's memory.
    this.#chunks.push(Buffer.from(rest));
  }

  #complete(tail: Uint8Array): unknown {
    const size = this.#bytes + tail.length;
    if (size > this.#maxBytes) throw this.#fail(`message of ${size} bytes exceeds ${this.#maxBytes} bytes`);
    const whole = this.#chunks.length === 0 ? Buffer.from(tail) : Buffer.concat([...this.#chunks, tail]);
    this.#chunks = [];
    this.#bytes = 0;
    const text = whole.toString('utf8');
    try {
      return JSON.parse(text) as unknown;
    } catch (err) {
      throw this.#fail(`invalid JSON message (${errorMessage(err)}): ${text.slice(0, 80)}`);
    }
  }

  #fail(message: string): FramingError {
    this.#failed = new FramingError(message);
    this.#chunks = [];
    this.#bytes = 0;
    return this.#failed;
  }
}

function describeByte(b: number): string {
  return b >= 0x20 && b < 0x7f ? `'${String.fromCharCode(b)}'` : `byte 0x${b.toString(16).padStart(2, '0')}`;
}
