import { describe, expect, it } from 'vitest';
import { parseRemote, parseRemoteList, shuffleMembers } from './remote.ts';

describe('parseRemote', () => {
  it.each([
    ['unix:/run/ovn/ovnnb_db.sock', { kind: 'unix', path: '/run/ovn/ovnnb_db.sock' }],
    ['tcp:127.0.0.1:6641', { kind: 'tcp', host: '127.0.0.1', port: 6641 }],
    ['tcp:ovn-nb.example:6641', { kind: 'tcp', host: 'ovn-nb.example', port: 6641 }],
    ['tcp:[::1]:6642', { kind: 'tcp', host: '::1', port: 6642 }],
    ['ssl:127.0.0.1:6641', { kind: 'ssl', host: '127.0.0.1', port: 6641 }],
    ['ssl:[fd00::1]:6642', { kind: 'ssl', host: 'fd00::1', port: 6642 }],
  ])('%s', (text, expected) => {
    expect(parseRemote(text)).toMatchObject({ ...expected, text });
  });

  it.each([
    'ssl:127.0.0.1',
    'ssl:127.0.0.1:0',
    'pssl:6641',
    'unix:',
    'tcp:127.0.0.1',
    'tcp:127.0.0.1:0',
    'tcp:127.0.0.1:70000',
    '/run/ovn.sock',
  ])('rejects %s', (text) => {
    expect(() => parseRemote(text)).toThrow(/invalid OVSDB remote/);
  });
});

describe('parseRemoteList', () => {
  it('takes one member or a comma-separated list, as ovn-nbctl --db does', () => {
    expect(parseRemoteList('unix:/run/ovn/ovnnb_db.sock').map((r) => r.text)).toEqual(['unix:/run/ovn/ovnnb_db.sock']);
    expect(parseRemoteList('tcp:10.0.0.1:6641,ssl:10.0.0.2:6641,tcp:[fd00::3]:6641')).toMatchObject([
      { kind: 'tcp', host: '10.0.0.1', port: 6641 },
      { kind: 'ssl', host: '10.0.0.2', port: 6641 },
      { kind: 'tcp', host: 'fd00::3', port: 6641 },
    ]);
  });

  it.each([
    ['tcp:10.0.0.1:6641,', /invalid OVSDB remote ""/],
    ['tcp:10.0.0.1:6641, tcp:10.0.0.2:6641', /invalid OVSDB remote " tcp:10.0.0.2:6641"/],
    ['tcp:10.0.0.1:6641,tcp:10.0.0.1:6641', /tcp:10.0.0.1:6641 is given twice/],
    ['tcp:10.0.0.1:6641,10.0.0.2:6641', /invalid OVSDB remote "10.0.0.2:6641"/],
  ])('rejects %s', (text, message) => {
    expect(() => parseRemoteList(text)).toThrow(message);
  });
});

describe('shuffleMembers', () => {
  it('keeps every member once, in an order the random source decides', () => {
    const members = ['a', 'b', 'c', 'd'];
    expect(shuffleMembers(members, () => 0)).toEqual(['b', 'c', 'd', 'a']);
    expect(shuffleMembers(members, () => 0.999)).toEqual(['a', 'b', 'c', 'd']);
    expect(shuffleMembers(members).sort()).toEqual(members);
    expect(members).toEqual(['a', 'b', 'c', 'd']);
  });
});
