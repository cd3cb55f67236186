import { describe, expect, it } from 'vitest';
import { parseRemote } from './remote.ts';

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

  it.each(['ssl:127.0.0.1', 'ssl:127.0.0.1:0', 'pssl:6641', 'unix:', 'tcp:127.0.0.1', 'tcp:127.0.0.1:0', 'tcp:127.0.0.1:70000', '/run/ovn.sock'])('rejects %s', (text) => {
    expect(() => parseRemote(text)).toThrow(/invalid OVSDB remote/);
  });
});
