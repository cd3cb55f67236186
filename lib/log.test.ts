import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { componentLogger, createLogger, errorFields, resolveLogLevel } from './log.ts';

describe('logger', () => {
  it('reads LOG_LEVEL and falls back to info for unknown values', () => {
    expect(resolveLogLevel({ LOG_LEVEL: 'DEBUG' })).toBe('debug');
    expect(resolveLogLevel({ LOG_LEVEL: 'loud' })).toBe('info');
    expect(resolveLogLevel({})).toBe('info');
  });

  it('writes one JSON object per line with a static message and structured fields', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        lines.push(chunk.toString());
        cb();
      },
    });
    const log = createLogger({ name: 'node-agent', level: 'info', destination: sink });
    componentLogger(log, 'frr', { node: 'compute-1' }).info({ vrf: 'vrf-10100', durationMs: 12 }, 'reloaded');
    log.debug({}, 'hidden');
    log.error(errorFields(Object.assign(new Error('EEXIST'), { code: 17 })), 'link add failed');
    await new Promise((r) => setImmediate(r));
    const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(parsed).toHaveLength(2);
    expect(parsed[0]).toMatchObject({
      level: 'info',
      name: 'node-agent',
      component: 'frr',
      node: 'compute-1',
      vrf: 'vrf-10100',
      durationMs: 12,
      msg: 'reloaded',
    });
    expect(typeof parsed[0]?.['time']).toBe('string');
    expect(parsed[1]).toMatchObject({
      level: 'error',
      err: { message: 'EEXIST', name: 'Error', code: 17 },
      msg: 'link add failed',
    });
  });
});
