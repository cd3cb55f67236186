// Who may use the agent API: whoever presents the bearer token of the mounted
// Secret (--api-token-file), on every address and for every request, reads
// included. Loopback is no exception: with hostNetwork every process of the
// node shares it. Without a token file the API is closed; the probes are the
// only open paths and live outside this check.
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';

export interface Refusal {
  readonly status: 401 | 403;
  readonly message: string;
}

const digest = (text: string): Buffer => createHash('sha256').update(text).digest();

/**
 * Why the request may not go ahead, or undefined when it may. The file is read
 * at each request, so a rotated Secret applies at once and no old token lingers.
 */
export function refuseUnauthorized(req: IncomingMessage, tokenFile: string | undefined): Refusal | undefined {
  if (tokenFile === undefined) {
    return {
      status: 403,
      message:
        'the agent API is closed: no token is configured (--api-token-file); only /healthz, /livez and /readyz answer',
    };
  }
  let token: string;
  try {
    token = readFileSync(tokenFile, 'utf8').trim();
  } catch (err) {
    return {
      status: 403,
      message: `the agent API is closed: cannot read the token file ${tokenFile} (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
    };
  }
  if (token === '') return { status: 403, message: `the agent API is closed: the token file ${tokenFile} is empty` };
  const given = /^Bearer (\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
  // Hashing first makes the comparison constant-time whatever the lengths.
  if (given === undefined || !timingSafeEqual(digest(given), digest(token)))
    return { status: 401, message: 'the agent API needs Authorization: Bearer <token>' };
  return undefined;
}
