import { describe, expect, it } from 'vitest';
import { createShutdown } from './shutdown.ts';

describe('shutdown', () => {
  it('runs hooks in order once, aborts the signal, and keeps going past a failing hook', async () => {
    const order: string[] = [];
    const exits: number[] = [];
    const s = createShutdown({ exit: (c) => exits.push(c) });
    s.register('stop-controllers', () => {
      order.push('stop-controllers');
    });
    s.register('broken', () => {
      throw new Error('boom');
    });
    s.register('release-lease', async () => {
      await new Promise((r) => setTimeout(r, 5));
      order.push('release-lease');
    });
    expect(s.signal.aborted).toBe(false);
    await Promise.all([s.run('test'), s.run('again')]);
    expect(s.signal.aborted).toBe(true);
    expect(order).toEqual(['stop-controllers', 'release-lease']);
    expect(exits).toEqual([]);
  });

  it('exits with 1 when the hooks overrun the timeout', async () => {
    const exits: number[] = [];
    const s = createShutdown({ timeoutMs: 20, exit: (c) => exits.push(c) });
    s.register('hangs', () => new Promise(() => undefined));
    await s.run('test');
    expect(exits).toEqual([1]);
  });

  it('handles SIGTERM through the installed handler and exits 0', async () => {
    const exits: number[] = [];
    const s = createShutdown({ exit: (c) => exits.push(c), signals: ['SIGUSR2'] });
    let ran = false;
    s.register('hook', () => {
      ran = true;
    });
    const uninstall = s.install();
    process.kill(process.pid, 'SIGUSR2');
    await new Promise((r) => setTimeout(r, 50));
    uninstall();
    expect(ran).toBe(true);
    expect(exits).toEqual([0]);
  });
});
