// bin/evpn-operator as a child process, for the tests that need a real process:
// start-up failures, exit codes, SIGKILL/SIGTERM and leader failover.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export const BIN = join(import.meta.dirname, '..', '..', '..', 'bin', 'evpn-operator');

export interface OperatorProcess {
  readonly child: ChildProcess;
  /** JSON log lines written so far. */
  readonly logs: Record<string, unknown>[];
  stderr(): string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves with the probe server's port once it logs it. */
  metricsPort(): Promise<number>;
}

const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of live) c.kill('SIGKILL');
});

export function startOperatorProcess(args: readonly string[], env: NodeJS.ProcessEnv): OperatorProcess {
  const child = spawn(BIN, [...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  const logs: Record<string, unknown>[] = [];
  let stderr = '';
  let partial = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    partial += chunk;
    const lines = partial.split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      try {
        logs.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        logs.push({ msg: line });
      }
    }
  });
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      live.delete(child);
      resolve({ code, signal });
    });
  });
  return {
    child,
    logs,
    exited,
    stderr: () => stderr,
    metricsPort: async () => {
      for (let i = 0; i < 500; i++) {
        const line = logs.find((l) => l['msg'] === 'probe server listening');
        if (line !== undefined) return Number(line['port']);
        if (child.exitCode !== null) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      throw new Error(`operator did not log its probe port; stderr: ${stderr}`);
    },
  };
}

export async function httpGet(port: number, path: string): Promise<{ status: number; body: string }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: res.status, body: await res.text() };
}
