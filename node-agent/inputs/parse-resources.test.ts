import { describe, expect, it } from 'vitest';
import { API_GROUP_VERSION, EvpnVrf } from '../../crds/index.ts';
import { parseAll } from './parse-resources.ts';

const vrf = (name: string, spec: Record<string, unknown>): unknown => ({
  apiVersion: API_GROUP_VERSION,
  kind: 'EvpnVrf',
  metadata: { name },
  spec,
});

describe('parseAll', () => {
  it("keeps the valid objects and rejects the others by name, with the schema's EVPN code", () => {
    const r = parseAll(
      [vrf('good', { vni: 100 }), vrf('zero', { vni: 0 }), vrf('rt', { vni: 100, routeTargets: ['not-a-target'] })],
      EvpnVrf,
    );
    expect(r.ok.map((v) => v.metadata.name)).toEqual(['good']);
    expect(r.rejected.get('zero')).toMatchObject({ code: 'EVPN-001', reason: 'InvalidSpec' });
    expect(r.rejected.get('zero')?.message).toMatch(/^EVPN-001: spec\.vni: EVPN-001: /);
    expect(r.rejected.get('rt')).toMatchObject({ code: 'EVPN-002', reason: 'InvalidSpec' });
  });

  it('gives a message without a code EVPN-002 and prefixes it', () => {
    const r = parseAll([{ apiVersion: API_GROUP_VERSION, kind: 'EvpnVrf', metadata: { name: 'x' } }], EvpnVrf);
    expect(r.rejected.get('x')).toMatchObject({ code: 'EVPN-002' });
    expect(r.rejected.get('x')?.message).toMatch(/^EVPN-002: spec: /);
  });

  it('names an object without a name "?"', () => {
    expect([...parseAll([{}], EvpnVrf).rejected.keys()]).toEqual(['?']);
  });
});
