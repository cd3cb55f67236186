import { describe, expect, it } from 'vitest';
import { FramingError } from './errors.ts';
import { JsonFramer } from './framer.ts';

const enc = (s: string): Buffer => Buffer.from(s, 'utf8');

function feedAll(framer: JsonFramer, chunks: readonly Uint8Array[]): unknown[] {
  return chunks.flatMap((c) => framer.push(c));
}

/** Every way of cutting `bytes` into two pieces, plus one byte at a time. */
function splits(bytes: Buffer): Buffer[][] {
  const out: Buffer[][] = [];
  for (let i = 0; i <= bytes.length; i++) out.push([bytes.subarray(0, i), bytes.subarray(i)]);
  out.push([...bytes].map((b) => Buffer.from([b])));
  return out;
}

describe('JsonFramer', () => {
  it('returns one message per complete object', () => {
    expect(new JsonFramer().push(enc('{"id":1,"result":[]}'))).toEqual([{ id: 1, result: [] }]);
  });

  it('splits several concatenated messages in one chunk, with whitespace between', () => {
    const framer = new JsonFramer();
    expect(framer.push(enc('{"a":1}{"b":[2,{"c":3}]}\n {"d":"x"}'))).toEqual([
      { a: 1 },
      { b: [2, { c: 3 }] },
      { d: 'x' },
    ]);
    expect(framer.pendingBytes).toBe(0);
  });

  it('joins a message split at every possible byte boundary', () => {
    const text = '{"method":"update3","params":["m",{"t":{"u":{"insert":{"n":"a"}}}}],"id":null}{"id":2,"result":null}';
    for (const chunks of splits(enc(text))) {
      expect(feedAll(new JsonFramer(), chunks)).toEqual([
        { method: 'update3', params: ['m', { t: { u: { insert: { n: 'a' } } } }], id: null },
        { id: 2, result: null },
      ]);
    }
  });

  it('ignores braces, brackets and escaped quotes inside strings', () => {
    const value = { s: 'a}b{c]d[e"f\\"}g\\\\', t: '\\', u: '"{' };
    const text = JSON.stringify(value) + JSON.stringify({ n: 1 });
    for (const chunks of splits(enc(text))) {
      expect(feedAll(new JsonFramer(), chunks)).toEqual([value, { n: 1 }]);
    }
  });

  it('decodes multi-byte UTF-8 split across chunk boundaries', () => {
    const value = { name: 'réseau-ß-网络-🚀', ids: { 'clé}': 'värde{' } };
    for (const chunks of splits(enc(JSON.stringify(value)))) {
      expect(feedAll(new JsonFramer(), chunks)).toEqual([value]);
    }
  });

  it('rejects bytes that cannot start a message and stays failed', () => {
    const framer = new JsonFramer();
    expect(() => framer.push(enc('{"a":1}HTTP/1.1 400'))).toThrow(
      /expected '\{' at the start of a JSON-RPC message, got 'H'/,
    );
    expect(() => framer.push(enc('{"a":1}'))).toThrow(FramingError);
  });

  it('rejects a top-level array or a stray closing brace', () => {
    expect(() => new JsonFramer().push(enc('[1]'))).toThrow(FramingError);
    expect(() => new JsonFramer().push(enc('}'))).toThrow(/got '\}'/);
  });

  it('rejects an object that balances but is not JSON', () => {
    expect(() => new JsonFramer().push(enc('{"a":1,}'))).toThrow(/invalid JSON message/);
    expect(() => new JsonFramer().push(enc('{a}'))).toThrow(/invalid JSON message/);
  });

  it('bounds the buffer for an incomplete message', () => {
    const framer = new JsonFramer(64);
    expect(framer.push(enc('{"a":"'))).toEqual([]);
    expect(() => framer.push(enc('x'.repeat(100)))).toThrow(/exceeds 64 bytes/);
  });

  it('bounds a message completed within one oversized chunk', () => {
    expect(() => new JsonFramer(16).push(enc(JSON.stringify({ a: 'x'.repeat(32) })))).toThrow(/exceeds 16 bytes/);
  });
});
