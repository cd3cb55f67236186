import { describe, expect, it } from 'vitest';
import { mapKeyMutations } from './map-mutations.ts';

describe('mapKeyMutations', () => {
  it('deletes pairs before inserting, and leaves out empty edits', () => {
    expect(mapKeyMutations('options', { insert: { a: '2' }, delete: { a: '1' } })).toEqual([
      ['options', 'delete', { a: '1' }],
      ['options', 'insert', { a: '2' }],
    ]);
    expect(mapKeyMutations('options', { insert: {}, delete: {} })).toEqual([]);
    expect(mapKeyMutations('options', {})).toEqual([]);
  });
});
