import { describe, expect, it } from 'vitest';
import { parseAgentConfig } from './config.ts';

const env = { NODE_NAME: 'n1' };

describe('parseAgentConfig: OVS', () => {
  it('manages OVS through the default ovsdb-server socket', () => {
    expect(parseAgentConfig(['--vtep-ip=10.0.0.1'], env).ovs).toEqual({
      enabled: true,
      remote: 'unix:/run/openvswitch/db.sock',
    });
  });

  it('takes --ovsdb and --no-ovs', () => {
    expect(parseAgentConfig(['--vtep-ip=10.0.0.1', '--ovsdb=tcp:127.0.0.1:6640'], env).ovs.remote).toBe(
      'tcp:127.0.0.1:6640',
    );
    expect(parseAgentConfig(['--vtep-ip=10.0.0.1', '--no-ovs'], env).ovs.enabled).toBe(false);
  });

  it('refuses a remote that is neither unix: nor tcp:', () => {
    expect(() => parseAgentConfig(['--vtep-ip=10.0.0.1', '--ovsdb=/run/openvswitch/db.sock'], env)).toThrow(
      /ovs.remote must be unix:PATH or tcp:HOST:PORT/,
    );
  });
});

describe('agent API listen settings', () => {
  it("listens on loopback with no token by default (the API closed), on the chart's ports", () => {
    const c = parseAgentConfig(['--vtep-ip', '192.0.2.10'], env);
    expect(c.httpAddr).toBe('127.0.0.1:9410');
    expect(c.metricsAddr).toBe('127.0.0.1:9411');
    expect(c.apiTokenFile).toBeUndefined();
  });

  it('reads --http-addr, --api-token-file and --metrics-addr', () => {
    const c = parseAgentConfig(
      [
        '--vtep-ip',
        '192.0.2.10',
        '--http-addr',
        '$(POD_IP):9410',
        '--api-token-file',
        '/run/secrets/agent-api/token',
        '--metrics-addr',
        '$(POD_IP):9411',
      ],
      env,
    );
    expect(c).toMatchObject({
      httpAddr: '$(POD_IP):9410',
      apiTokenFile: '/run/secrets/agent-api/token',
      metricsAddr: '$(POD_IP):9411',
    });
  });
});

describe('FRR files', () => {
  it('keeps no boot config unless told, and takes --frr-config and --frr-boot-config', () => {
    expect(parseAgentConfig(['--vtep-ip=10.0.0.1'], env).frr.bootConfigPath).toBeUndefined();
    const c = parseAgentConfig(
      ['--vtep-ip=10.0.0.1', '--frr-config=/var/lib/ovn-evpn/frr.conf', '--frr-boot-config=/etc/frr/frr.conf'],
      env,
    );
    expect(c.frr).toMatchObject({ configPath: '/var/lib/ovn-evpn/frr.conf', bootConfigPath: '/etc/frr/frr.conf' });
  });
});
