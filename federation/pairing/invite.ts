/**
 * Invite codes, as one household hands them to another (by message, on paper): the inviting
 * node's peer id and addresses, a one-time secret, and when it expires, in one copyable string
 * `hearth-invite:<base64url JSON>`. The inviting node keeps only the secret's SHA-256.
 *
 * @example
 * const code = encodeInvite({ peerId, addresses, secret, expiresAt })
 * const invite = decodeInvite(code)   // throws InviteError on anything malformed
 */
import { createHash } from 'node:crypto'

export interface Invite { peerId: string, addresses: string[], secret: string, expiresAt: string, name: string }

const PREFIX = 'hearth-invite:'

/** Thrown when an invite code cannot be read. */
export class InviteError extends Error {}

export function encodeInvite (invite: Invite): string {
  const body = { v: 1, p: invite.peerId, a: invite.addresses, s: invite.secret, e: invite.expiresAt, n: invite.name }
  return PREFIX + Buffer.from(JSON.stringify(body)).toString('base64url')
}

export function decodeInvite (code: string): Invite {
  const text = code.trim()
  if (!text.startsWith(PREFIX)) throw new InviteError('not a Hearth invite code (it starts with "hearth-invite:")')
  let body: unknown
  try {
    body = JSON.parse(Buffer.from(text.slice(PREFIX.length), 'base64url').toString('utf8'))
  } catch {
    throw new InviteError('the invite code is damaged: copy it again, whole')
  }
  const b = body as { v?: unknown, p?: unknown, a?: unknown, s?: unknown, e?: unknown, n?: unknown }
  if (b.v !== 1 || typeof b.p !== 'string' || !Array.isArray(b.a) || !b.a.every((x) => typeof x === 'string') ||
    typeof b.s !== 'string' || typeof b.e !== 'string' || Number.isNaN(Date.parse(b.e)) || typeof b.n !== 'string') {
    throw new InviteError('the invite code is damaged or from a newer Hearth')
  }
  return { peerId: b.p, addresses: b.a as string[], secret: b.s, expiresAt: b.e, name: b.n }
}

export const secretHash = (secret: string) => createHash('sha256').update(secret).digest('hex')
