import { describe, expect, it } from 'vitest';
import type { MirrorProblem } from '../mirror/build-desired.ts';
import type { EvpnErrorCode } from '../../crds/index.ts';
import { ProblemBook } from './problem-book.ts';

const p = (
  name: string,
  message: string,
  reason: MirrorProblem['reason'] = 'Conflict',
  code: EvpnErrorCode = 'EVPN-004',
): MirrorProblem => ({ kind: 'EvpnNetwork', name, reason, code, message, keptLastGood: false });

describe('ProblemBook', () => {
  it('returns only new problems and names the objects whose problems changed', () => {
    const book = new ProblemBook();
    const changed: string[][] = [];
    book.on('changed', (keys) => changed.push(keys));
    expect(
      book.replace([p('a', 'EVPN-004: x'), p('b', 'EVPN-001: y', 'MalformedAssociation', 'EVPN-001')]),
    ).toHaveLength(2);
    expect(book.replace([p('a', 'EVPN-004: x'), p('b', 'EVPN-001: y', 'MalformedAssociation', 'EVPN-001')])).toEqual(
      [],
    );
    expect(book.replace([p('a', 'EVPN-004: x'), p('a', 'EVPN-004: x')])).toEqual([]);
    expect(changed).toEqual([['EvpnNetwork/a', 'EvpnNetwork/b'], ['EvpnNetwork/b']]);
    expect(book.get('EvpnNetwork/a')).toHaveLength(1);
    expect(book.keys()).toEqual(['EvpnNetwork/a']);
  });
});
