// The harness itself: servers start and answer, stop() leaves nothing behind, and
// the servers die with the process that started them even if it is SIGKILLed.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../wait-for.ts';
import { startOvnDatabases } from './ovn-databases.ts';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function pidsOf(pids: Readonly<Record<string, number | undefined>>): number[] {
  return Object.values(pids).map((p) => p ?? 0);
}

describe('startOvnDatabases', () => {
  it('starts NB, SB and northd; restart keeps the tcp port; stop() kills them and removes the directory', async () => {
    const started = Date.now();
    const ovn = await startOvnDatabases({ northd: true });
    const startMs = Date.now() - started;
    expect(ovn.nbRemote.unix).toBe(`unix:${ovn.dir}/nb.sock`);
    expect(ovn.nbRemote.tcp).toMatch(/^tcp:127\.0\.0\.1:\d+$/);
    expect(ovn.sbRemote.tcp).not.toBe(ovn.nbRemote.tcp);
    await ovn.nbctl(['ls-add', 'h1', '--', 'lsp-add', 'h1', 'p1']);
    await ovn.nbctl(['--wait=sb', 'sync']);
    expect(await ovn.sbctl(['--bare', '--columns=logical_port', 'list', 'Port_Binding'])).toBe('p1');
    // ovn-nbctl over the tcp remote too.
    expect(await ovn.nbctl([`--db=${ovn.nbRemote.tcp}`, 'ls-list'])).toMatch(/\(h1\)/);

    const pids = pidsOf(ovn.pids());
    expect(pids).toHaveLength(3);
    expect(pids.every(alive)).toBe(true);
    const tcp = ovn.nbRemote.tcp;
    await ovn.restartNb();
    expect(alive(pids[0] ?? 0)).toBe(false);
    expect(await ovn.nbctl([`--db=${tcp}`, 'ls-list'])).toMatch(/\(h1\)/);
    const newNb = ovn.pids().nb ?? 0;
    expect(newNb).not.toBe(pids[0]);

    await ovn.stop();
    expect([newNb, ...pids.slice(1)].filter(alive)).toEqual([]);
    expect(existsSync(ovn.dir)).toBe(false);
    process.stderr.write(`test/harness/ovn: NB+SB+northd started in ${startMs} ms\n`);
  });

  it('servers do not outlive a test process that is killed with SIGKILL', async () => {
    const script = `
      import { startOvnDatabases } from ${JSON.stringify(new URL('./ovn-databases.ts', import.meta.url).pathname)};
      const ovn = await startOvnDatabases({ northd: true });
      process.stdout.write(JSON.stringify({ dir: ovn.dir, pids: ovn.pids() }) + '\\n');
      setInterval(() => {}, 1000);
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      const started = await new Promise<{ dir: string; pids: Record<string, number> }>((resolve, reject) => {
        child.stdout.setEncoding('utf8');
        child.stdout.once('data', (d: string) => {
          resolve(JSON.parse(d) as { dir: string; pids: Record<string, number> });
        });
        child.once('exit', () => {
          reject(new Error('child exited before starting the databases'));
        });
      });
      const pids = pidsOf(started.pids);
      expect(pids).toHaveLength(3);
      expect(pids.every(alive)).toBe(true);
      child.kill('SIGKILL');
      await waitFor('the daemons to exit', () => !pids.some(alive), { timeoutMs: 5000, stepMs: 10 });
      await rm(started.dir, { recursive: true, force: true });
    } finally {
      child.kill('SIGKILL');
    }
  });
});
