import { describe, expect, it } from 'vitest';
import { parseAgentConfig } from './config.ts';

const env = { NODE_NAME: 'n1' };

describe('parseAgentConfig: OVS', () => {
  it('manages OVS through the default ovsdb-server socket', () => {
    expect(parseAgentConfig(['--vtep-ip=10.0.0.1'], env).ovs).toEqual({ enabled: true, remote: 'unix:/run/openvswitch/db.sock' });
  });

  it('takes --ovsdb and --no-ovs', () => {
    expect(parseAgentConfig(['--vtep-ip=10.0.0.1', '--ovsdb=tcp:127.0.0.1:6640'], env).ovs.remote).toBe('tcp:127.0.0.1:6640');
    expect(parseAgentConfig(['--vtep-ip=10.0.0.1', '--no-ovs'], env).ovs.enabled).toBe(false);
  });

  it('refuses a remote that is neither unix: nor tcp:', () => {
    expect(() => parseAgentConfig(['--vtep-ip=10.0.0.1', '--ovsdb=/run/openvswitch/db.sock'], env)).toThrow(/ovs.remote must be unix:PATH or tcp:HOST:PORT/);
  });
});
