import { describe, expect, it } from 'vitest';
import { splitJsonDocuments } from './json-documents.ts';

describe('splitJsonDocuments', () => {
  it('splits answers printed back to back, braces inside strings included', () => {
    const a = '{\n"numPrefix":0,"numPaths":0}';
    const b = '{"[3]:[0]:[32]:[10.0.0.1]":{"ext":{"string":"RT:65000:1 }{ \\"x\\""}},"numPrefix":1}';
    expect(splitJsonDocuments(`${a}\n${b}\n{}\n`)).toEqual([a, b, '{}']);
  });

  it('ignores text between values and an unfinished one', () => {
    expect(splitJsonDocuments('% warning\n{"a":[1,2]} {"b":')).toEqual(['{"a":[1,2]}']);
    expect(splitJsonDocuments('')).toEqual([]);
  });
});
