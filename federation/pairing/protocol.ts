/**
 * Pairing two households' nodes with an invite code, over libp2p (`/hearth/pair/1.0.0`), and the
 * paired nodes' greeting (`/hearth/hello/1.0.0`: name and version, which shows a pairing works both
 * ways). Messages are length-prefixed JSON, at most 64 KiB.
 *
 * The invitee dials the addresses in the code with the inviter's peer id, so Noise proves it
 * reached that node and no other; it sends the secret, its name and addresses; the inviter uses
 * the invite up (once, unexpired) and records the invitee, and the invitee records the inviter.
 * Anything else (a wrong, used or expired secret, a message that does not parse) gets a refusal
 * and the connection is closed.
 */
import { lpStream } from '@libp2p/utils'
import { multiaddr } from '@multiformats/multiaddr'
import type { Connection, Stream } from '@libp2p/interface'

export const PAIR_PROTOCOL = '/hearth/pair/1.0.0'
export const HELLO_PROTOCOL = '/hearth/hello/1.0.0'
const MAX_MESSAGE = 64 * 1024

export interface PairRequest { secret: string, name: string, addresses: string[] }
export type PairReply = { ok: true, name: string } | { ok: false, error: string }
export interface Hello { name: string, version: string }

export async function writeJson (stream: Stream, value: unknown, signal?: AbortSignal): Promise<void> {
  await lpStream(stream, { maxDataLength: MAX_MESSAGE }).write(new TextEncoder().encode(JSON.stringify(value)), { signal })
}

export async function readJson (stream: Stream, signal?: AbortSignal): Promise<unknown> {
  const bytes = await lpStream(stream, { maxDataLength: MAX_MESSAGE }).read({ signal })
  return JSON.parse(new TextDecoder().decode(bytes.subarray()))
}

/** A pairing request as the inviter reads it: well-formed, or undefined. */
export function parsePairRequest (value: unknown): PairRequest | undefined {
  const v = value as Partial<PairRequest> | null
  if (v === null || typeof v !== 'object' || typeof v.secret !== 'string' || v.secret.length > 200 ||
    typeof v.name !== 'string' || v.name.length > 200 || !Array.isArray(v.addresses) || v.addresses.length > 16) return undefined
  const addresses = v.addresses.filter((a): a is string => typeof a === 'string' && validMultiaddr(a))
  return { secret: v.secret, name: v.name.trim() || 'A Hearth node', addresses }
}

function validMultiaddr (a: string): boolean {
  try { multiaddr(a); return a.length < 300 } catch { return false }
}

/** The remote end's peer id, as the database keeps it. */
export const remotePeer = (connection: Connection) => connection.remotePeer.toString()
