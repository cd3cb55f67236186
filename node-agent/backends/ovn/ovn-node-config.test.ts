// The ovn backend's node settings through the agent's flags and config file.
import { describe, expect, it } from 'vitest';
import { parseAgentConfig } from '../../config.ts';
import { OvnNodeConfig } from './ovn-node-config.ts';

const env = { NODE_NAME: 'n1' };

describe('agent config: the ovn backend', () => {
  it("defaults to the kernel backend, OVN's VXLAN port 4789 and the devices' 64789", () => {
    const c = parseAgentConfig(['--vtep-ip=10.0.0.1'], env);
    expect(c.node.defaultBackend).toBe('kernel');
    expect(c.node.ovn).toEqual({ evpnVxlanPorts: [4789], deviceVxlanPort: 64789 });
  });

  it('takes --default-backend ovn and refuses another word', () => {
    expect(parseAgentConfig(['--vtep-ip=10.0.0.1', '--default-backend=ovn'], env).node.defaultBackend).toBe('ovn');
    expect(() => parseAgentConfig(['--vtep-ip=10.0.0.1', '--default-backend=native'], env)).toThrow(
      /node.defaultBackend/,
    );
  });

  it('refuses a device port that ovn-controller listens on', () => {
    const r = OvnNodeConfig.safeParse({ evpnVxlanPorts: [4789, 4790], deviceVxlanPort: 4790 });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.message).toMatch(/must not be one of ovn.evpnVxlanPorts/);
  });

  it('refuses a port list without 4789, the only port FRR-learned VTEPs bind to in ovn-controller', () => {
    const r = OvnNodeConfig.safeParse({ evpnVxlanPorts: [4790] });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.message).toMatch(/must include 4789/);
    expect(OvnNodeConfig.safeParse({ evpnVxlanPorts: [4789, 4790] }).success).toBe(true);
  });
});
