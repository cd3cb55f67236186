import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, onTestFinished } from 'vitest';
import { waitFor } from '../test/harness/wait-for.ts';
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

  // In a child process with the real handlers and process.exit, so the test runner
  // is not the one that gets the signal.
  it('on SIGTERM runs the hooks and exits 0', async () => {
    const child = startChild('quick');
    await child.output('ready\n');
    child.process.kill('SIGTERM');
    expect(await child.exited).toEqual({ code: 0, signal: null });
    expect(child.stdout()).toBe('ready\nhook started, signal aborted: true\nhook done\n');
  });

  it('on a second SIGTERM during the hooks exits 1 at once', async () => {
    const child = startChild('slow');
    await child.output('ready\n');
    child.process.kill('SIGTERM');
    await child.output('hook started');
    const sent = performance.now();
    child.process.kill('SIGTERM');
    expect(await child.exited).toEqual({ code: 1, signal: null });
    expect(performance.now() - sent).toBeLessThan(5_000);
    expect(child.stdout()).not.toContain('hook done');
  });
});

function startChild(mode: 'quick' | 'slow'): {
  process: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stdout: () => string;
  output: (text: string) => Promise<void>;
} {
  const child = spawn(process.execPath, [fileURLToPath(new URL('testdata/shutdown-child.ts', import.meta.url)), mode], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    out += chunk;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      resolve({ code, signal });
    });
  });
  onTestFinished(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const output = (text: string): Promise<void> =>
    waitFor(`${JSON.stringify(text)} from the child`, () => out.includes(text), { timeoutMs: 10_000, stepMs: 10 }).then(
      () => undefined,
    );
  return { process: child, exited, stdout: () => out, output };
}
