import { describe, expect, it } from 'vitest';
import { parseAgentConfig } from './config.ts';

const env = { NODE_NAME: 'node-1' };

describe('agent API listen settings', () => {
  it('listens on loopback with no token by default', () => {
    const c = parseAgentConfig(['--vtep-ip', '192.0.2.10'], env);
    expect(c.httpAddr).toBe('127.0.0.1:9650');
    expect(c.apiTokenFile).toBeUndefined();
  });

  it('reads --http-addr and --api-token-file', () => {
    const c = parseAgentConfig(['--vtep-ip', '192.0.2.10', '--http-addr', '$(POD_IP):9410', '--api-token-file', '/run/secrets/agent-api/token'], env);
    expect(c).toMatchObject({ httpAddr: '$(POD_IP):9410', apiTokenFile: '/run/secrets/agent-api/token' });
  });
});
