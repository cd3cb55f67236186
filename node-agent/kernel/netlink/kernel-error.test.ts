import { describe, expect, it } from 'vitest';
import { errnoName, KernelError } from './kernel-error.ts';

describe('KernelError', () => {
  it('names op, object, errno and its meaning', () => {
    const e = KernelError.fromErrno(-17, { op: 'create link', object: 'vxlan-10100', kind: 'vxlan' });
    expect(e.message).toBe('create link vxlan-10100: EEXIST (file exists)');
    expect(e).toMatchObject({ errno: 'EEXIST', code: 17, op: 'create link', object: 'vxlan-10100' });
  });

  it('reads a missing vrf module in operator words', () => {
    expect(KernelError.fromErrno(-95, { op: 'create link', object: 'vrf-10100', kind: 'vrf' }).message).toBe(
      'create link vrf-10100: kernel has no VRF support (vrf module missing)',
    );
    expect(KernelError.fromErrno(-95, { op: 'create link', object: 'br.101', kind: 'vlan' }).message).toBe(
      'create link br.101: kernel has no 802.1Q VLAN support (8021q module missing)',
    );
  });

  it('maps the netlink package\'s "Request rejected" errors', () => {
    const e = KernelError.fromUnknown(new Error('Request rejected: ENODEV'), { op: 'delete link', object: 'x' });
    expect(e).toMatchObject({ errno: 'ENODEV', code: 19, message: 'delete link x: ENODEV (no such device)' });
    expect(
      KernelError.fromUnknown(new Error('Timeout has been reached'), { op: 'add fdb entry', object: 'y' }).errno,
    ).toBe('ETIMEDOUT');
  });

  it('names errno numbers', () => {
    expect(errnoName(-3)).toBe('ESRCH');
    expect(errnoName(2)).toBe('ENOENT');
  });
});
