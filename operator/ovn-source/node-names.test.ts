import { describe, expect, it } from 'vitest';
import { emptySnapshot } from './ovn-snapshot.ts';
import { nodeNameOfChassis, parseNodeNameMapText, parseNodeNameMode, withNodeNames } from './node-names.ts';

const chassis = { uuid: 'c1', name: 'a1b2-system-id', hostname: 'compute-1.example.com' };

describe('chassis → node name', () => {
  it('uses the hostname as is by default, nothing stripped', () => {
    expect(nodeNameOfChassis({ kind: 'hostname' }, chassis)).toBe('compute-1.example.com');
  });
  it('uses the chassis name when asked', () => {
    expect(nodeNameOfChassis({ kind: 'chassis-name' }, chassis)).toBe('a1b2-system-id');
  });
  it('maps by hostname or chassis name from a file; unmapped chassis have no node', () => {
    const map = parseNodeNameMapText('compute-1.example.com: node-a\nother-id: node-b\n', 'm.yaml');
    expect(nodeNameOfChassis({ kind: 'map', file: 'm.yaml', map }, chassis)).toBe('node-a');
    expect(
      nodeNameOfChassis({ kind: 'map', file: 'm.yaml', map }, { uuid: 'c2', name: 'other-id', hostname: 'h' }),
    ).toBe('node-b');
    expect(
      nodeNameOfChassis({ kind: 'map', file: 'm.yaml', map }, { uuid: 'c3', name: 'z', hostname: 'z' }),
    ).toBeUndefined();
  });
  it('rewrites chassis rows so the mirror sees node names', () => {
    const snap = { ...emptySnapshot(), chassis: [chassis] };
    const out = withNodeNames(snap, { kind: 'chassis-name' });
    expect(out.chassis[0]).toEqual({ uuid: 'c1', name: 'a1b2-system-id', hostname: 'a1b2-system-id' });
    const unmapped = withNodeNames(snap, { kind: 'map', file: 'm.yaml', map: new Map() });
    expect(unmapped.chassis[0]).toEqual({ uuid: 'c1', name: '', hostname: '' });
  });
  it('refuses a bad mode or map', () => {
    expect(() => parseNodeNameMode('fqdn')).toThrow(/hostname, chassis-name or map:<file>/);
    expect(() => parseNodeNameMode('map:/nonexistent/file')).toThrow(/cannot read/);
    expect(() => parseNodeNameMapText('- a\n- b\n', 'm')).toThrow(/expected a mapping/);
    expect(() => parseNodeNameMapText('a: 1\n', 'm')).toThrow(/non-empty string/);
  });
});
