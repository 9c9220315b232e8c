/**
 * The node's libp2p identity: an Ed25519 key made once in `<data>/keys/p2p_ed25519.key` (libp2p's
 * protobuf form, mode 0600) and reused ever after, so paired relatives keep recognising this node
 * across restarts and upgrades. Losing it means pairing again; it goes into backups of the data folder.
 *
 * @example
 * const { privateKey, peerId } = await loadOrCreateIdentity('/var/lib/hearth')
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import type { PeerId, PrivateKey } from '@libp2p/interface'
import { keyFile } from '../node/storage/key-file.ts'

export interface Identity { privateKey: PrivateKey, peerId: PeerId, path: string, created: boolean }

export async function loadOrCreateIdentity (dataDir: string): Promise<Identity> {
  const { path, bytes, created } = await keyFile(dataDir, 'p2p_ed25519.key', async () => privateKeyToProtobuf(await generateKeyPair('Ed25519')))
  let privateKey: PrivateKey
  try {
    privateKey = privateKeyFromProtobuf(bytes)
  } catch (err) {
    throw new Error(`The node's identity key ${path} cannot be read (${(err as Error).message}). Restore it from a backup of the data folder; removing it makes a new identity, and relatives must pair with this node again.`, { cause: err })
  }
  return { privateKey, peerId: peerIdFromPrivateKey(privateKey), path, created }
}

/** The node's peer id without making a key (for `hearth doctor`); undefined when there is none yet. */
export async function readPeerId (dataDir: string): Promise<{ peerId: string, path: string } | undefined> {
  const path = join(dataDir, 'keys', 'p2p_ed25519.key')
  let bytes: Buffer
  try { bytes = await readFile(path) } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw err
  }
  return { peerId: peerIdFromPrivateKey(privateKeyFromProtobuf(bytes)).toString(), path }
}
