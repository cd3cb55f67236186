import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const buildScript = fileURLToPath(new URL('build-binaries.sh', import.meta.url));

/**
 * The directory holding kube-apiserver, kubectl and etcd. Runs build-binaries.sh,
 * which returns at once when the version-keyed cache is filled and builds it
 * (minutes, cold) when not, so a fresh checkout needs no separate setup step.
 * The script's progress goes to this process's stderr.
 */
export async function ensureBinaries(): Promise<string> {
  const child = spawn(buildScript, [], { stdio: ['ignore', 'pipe', 'inherit'] });
  let stdout = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    stdout += chunk;
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  const dir = stdout.trim().split('\n').at(-1) ?? '';
  if (code !== 0 || dir === '') {
    throw new Error(`${buildScript} failed (exit ${String(code)}); its progress is on stderr above`);
  }
  return dir;
}
