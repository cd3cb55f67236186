// JSON-RPC 1.0 messages as OVSDB uses them (RFC 7047 §4), parsed with zod.
import { z } from 'zod';

const RequestOrNotification = z.object({
  method: z.string(),
  params: z.array(z.unknown()),
  // Absent or null for notifications.
  id: z.unknown().optional(),
});

const Response = z.object({
  id: z.union([z.number(), z.string()]),
  result: z.unknown().optional(),
  error: z.unknown().optional(),
});

export const IncomingMessage = z.union([RequestOrNotification, Response]);
export type IncomingMessage = z.infer<typeof IncomingMessage>;
export type IncomingRequest = z.infer<typeof RequestOrNotification>;

export function isRequest(message: IncomingMessage): message is IncomingRequest {
  return 'method' in message;
}

const ErrorObject = z.object({ error: z.string(), details: z.string().optional() }).loose();

/** The error member of a response, normalised; undefined when the call succeeded. */
export function parseRpcError(error: unknown): { error: string; details?: string } | undefined {
  if (error === null || error === undefined) return undefined;
  if (typeof error === 'string') return { error };
  const parsed = ErrorObject.safeParse(error);
  if (parsed.success) {
    return parsed.data.details === undefined
      ? { error: parsed.data.error }
      : { error: parsed.data.error, details: parsed.data.details };
  }
  return { error: JSON.stringify(error) };
}

/** The zero UUID: "no transaction seen yet" for monitor_cond_since. */
export const ZERO_UUID = '00000000-0000-0000-0000-000000000000';
