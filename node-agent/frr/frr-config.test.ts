import { describe, expect, it } from 'vitest';
import { FrrModelError } from './model.ts';
import { hashFrrConfig, prepareFrrConfig, toFrrConfig } from './frr-config.ts';
import { renderFrrConfig } from './render.ts';

const base = { asn: 65000, routerId: '10.0.0.1' };

describe('prepareFrrConfig', () => {
  it('renders the same text as renderFrrConfig, hashes it and lists the VRF↔L3VNI pairs', () => {
    const model = {
      ...base,
      vrfs: [
        { name: 'vrf-7', l3vni: 7 },
        { name: 'vrf-8', l3vni: 8 },
      ],
    };
    const r = prepareFrrConfig(model);
    if (!r.ok) throw new Error('expected a valid model');
    expect(r.config.text).toBe(renderFrrConfig(model));
    expect(r.config.hash).toBe(hashFrrConfig(r.config.text));
    expect(r.config.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(r.config.vrfVnis).toEqual([
      { vrf: 'vrf-7', vni: 7 },
      { vrf: 'vrf-8', vni: 8 },
    ]);
  });

  it('gives another hash for other text', () => {
    const a = toFrrConfig({ ...base, vrfs: [{ name: 'v', l3vni: 7 }] });
    const b = toFrrConfig({ ...base, vrfs: [{ name: 'v', l3vni: 8 }] });
    expect(a.hash).not.toBe(b.hash);
  });

  it('returns field errors for an invalid model instead of throwing', () => {
    const r = prepareFrrConfig({ ...base, vrfs: [{ name: 'bad name', l3vni: 7 }] });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors[0]?.field).toBe('vrfs[0].name');
  });

  it('toFrrConfig throws FrrModelError for the same input', () => {
    expect(() => toFrrConfig({ ...base, vrfs: [{ name: 'bad name', l3vni: 7 }] })).toThrow(FrrModelError);
  });
});
