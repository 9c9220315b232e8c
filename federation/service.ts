/**
 * Family federation, first part: this node's identity and libp2p host, invite codes, pairing with
 * a relative's node, and the list of paired nodes (greeted, or unpaired). Shared albums and mutual
 * backups build on the paired set kept here.
 *
 * @example
 * const federation = createFederation({ config, db, log })
 * await federation.start()
 * const { code } = await federation.invite({ createdBy: admin.id })        // on the inviting node
 * const peer = await otherNodesFederation.redeem(code)                     // on the relative's node
 */
import { randomBytes } from 'node:crypto'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { peerIdFromString } from '@libp2p/peer-id'
import type { Connection, Stream } from '@libp2p/interface'
import type { Logger } from 'pino'
import type { Config } from '../node/config/schema.ts'
import type { Database } from '../node/db/index.ts'
import { BadRequestError, NotFoundError, ServiceUnavailableError } from '../node/http/errors.ts'
import { version } from '../node/server/version.ts'
import { loadOrCreateIdentity } from './identity.ts'
import { createHost, type Host } from './host.ts'
import { createPeerRepo, type Peer } from './peers/repo.ts'
import { decodeInvite, encodeInvite, InviteError, secretHash } from './pairing/invite.ts'
import { HELLO_PROTOCOL, PAIR_PROTOCOL, parsePairRequest, readJson, remotePeer, writeJson, type Hello, type PairReply } from './pairing/protocol.ts'

const DIAL_TIMEOUT_MS = 15_000
const READ_TIMEOUT_MS = 10_000
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

export function createFederation ({ config, db, log }: { config: Pick<Config, 'HEARTH_DATA_DIR' | 'HEARTH_HOST' | 'HEARTH_P2P_PORT' | 'HEARTH_NODE_NAME'>, db: Database, log: Logger }) {
  const peers = createPeerRepo(db)
  /** Peer ids of the paired nodes: what the gater lets in. */
  const paired = new Set<string>()
  let host: Host | undefined

  /** Why the host is not running, when it could not start (the P2P port taken, say). */
  let startError: string | undefined

  const running = (): Host => {
    if (host === undefined) throw new ServiceUnavailableError(`Federation is not running on this node${startError !== undefined ? `: ${startError}` : ''}`)
    return host
  }

  /** Refusals since the last one logged: a port open to the internet is knocked on all day. */
  let refused = 0
  let refusedLoggedAt = 0

  async function admits (peerId: string): Promise<boolean> {
    if (paired.has(peerId)) return true
    const open = await peers.openInvites() > 0
    if (!open) {
      refused++
      if (Date.now() - refusedLoggedAt > 60_000) {
        log.info({ peer: peerId, refused }, 'refused connections from nodes that are not paired')
        refused = 0
        refusedLoggedAt = Date.now()
      }
    }
    return open
  }

  async function onPair (stream: Stream, connection: Connection): Promise<void> {
    const from = remotePeer(connection)
    try {
      const request = parsePairRequest(await readJson(stream, AbortSignal.timeout(READ_TIMEOUT_MS)).catch(() => undefined))
      let reply: PairReply
      if (request === undefined) {
        reply = { ok: false, error: 'the pairing request could not be read' }
      } else if (!await peers.consumeInvite(secretHash(request.secret), from)) {
        reply = { ok: false, error: 'this invite code is wrong, already used or expired: ask for a new one' }
        log.warn({ peer: from }, 'a node tried to pair with an invite code that is wrong, used or expired')
      } else {
        const peer = await peers.add({ peerId: from, name: request.name, addresses: request.addresses, role: 'invitee' })
        paired.add(from)
        reply = { ok: true, name: config.HEARTH_NODE_NAME }
        log.info({ peer: from, name: peer.name }, 'paired with a relative\'s node (they redeemed our invite)')
      }
      await writeJson(stream, reply)
      await stream.close()
    } catch (err) {
      stream.abort(err as Error)
    } finally {
      if (!paired.has(from)) await connection.close().catch(() => {})
    }
  }

  async function onHello (stream: Stream, connection: Connection): Promise<void> {
    const from = remotePeer(connection)
    // Only admitted at all while an invite is open: it may still pair, so only the stream is refused.
    if (!paired.has(from)) { stream.abort(new Error('not paired')); return }
    try {
      await writeJson(stream, { name: config.HEARTH_NODE_NAME, version } satisfies Hello)
      await stream.close()
      await peers.seen(from)
    } catch (err) {
      stream.abort(err as Error)
    }
  }

  /** The addresses to dial for `peerId`, each ending in its /p2p/ part (so Noise checks who answers). */
  function dialable (peerId: string, addresses: string[]): Multiaddr[] {
    const out: Multiaddr[] = []
    for (const a of addresses) {
      try {
        const m = multiaddr(a)
        const named = m.getComponents().find((c) => c.name === 'p2p')?.value
        if (named !== undefined && named !== peerId) continue
        out.push(named === undefined ? m.encapsulate(`/p2p/${peerId}`) : m)
      } catch { /* not an address: skipped */ }
    }
    return out
  }

  return {
    peers,
    async start (): Promise<void> {
      const identity = await loadOrCreateIdentity(config.HEARTH_DATA_DIR)
      for (const p of await peers.list()) paired.add(p.peerId)
      await peers.pruneInvites()
      try {
        const h = await createHost({ privateKey: identity.privateKey, host: config.HEARTH_HOST, port: config.HEARTH_P2P_PORT, admits })
        await h.handle(PAIR_PROTOCOL, onPair)
        await h.handle(HELLO_PROTOCOL, onHello)
        host = h
      } catch (err) {
        // Photos matter more than federation: the rest of Hearth runs, and says why this does not.
        // libp2p's message holds a stack trace: the reply gets the cause in a few words.
        const message = (err as Error).message
        const cause = /EADDRINUSE/.test(message) ? 'it is already in use' : /EACCES/.test(message) ? 'this user may not listen on it' : /EADDRNOTAVAIL/.test(message) ? `${config.HEARTH_HOST} is not an address of this machine (HEARTH_HOST)` : message.split('\n')[0]!.slice(0, 200)
        startError = `the P2P port ${config.HEARTH_P2P_PORT} could not be opened: ${cause}. Set HEARTH_P2P_PORT to a free port (another program, IPFS for one, may hold ${config.HEARTH_P2P_PORT}) and restart Hearth`
        log.error({ err: (err as Error).message, port: config.HEARTH_P2P_PORT }, 'federation could not start; the rest of Hearth runs')
        return
      }
      log.info({ peerId: identity.peerId.toString(), addresses: host.addresses(), paired: paired.size }, 'federation listening')
    },
    async stop (): Promise<void> {
      await host?.stop()
      host = undefined
    },
    /** This node as relatives' nodes see it. */
    node (): { peerId: string, name: string, addresses: string[] } {
      const h = running()
      return { peerId: h.peerId.toString(), name: config.HEARTH_NODE_NAME, addresses: h.addresses() }
    },
    /** A one-time invite code for a relative's node, good for `hours` (72 by default). */
    async invite ({ createdBy, hours = 72 }: { createdBy?: string, hours?: number }): Promise<{ code: string, expiresAt: string }> {
      const h = running()
      const secret = randomBytes(32).toString('base64url')
      const expiresAt = new Date(Date.now() + hours * 3600_000)
      await peers.createInvite({ secretSha256: secretHash(secret), createdBy, expiresAt })
      log.info({ expiresAt }, 'invite code made')
      return { code: encodeInvite({ peerId: h.peerId.toString(), addresses: h.addresses(), secret, expiresAt: expiresAt.toISOString(), name: config.HEARTH_NODE_NAME }), expiresAt: expiresAt.toISOString() }
    },
    /** Redeems a relative's invite code: reaches their node, proves the secret, and records each other. */
    async redeem (code: string): Promise<Peer> {
      const h = running()
      let invite
      try { invite = decodeInvite(code) } catch (err) { if (err instanceof InviteError) throw new BadRequestError(err.message); throw err }
      if (Date.parse(invite.expiresAt) <= Date.now()) throw new BadRequestError(`this invite code expired on ${invite.expiresAt}: ask for a new one`)
      if (invite.peerId === h.peerId.toString()) throw new BadRequestError('this invite code is this node\'s own: give it to the relative\'s node instead')
      const targets = dialable(invite.peerId, invite.addresses)
      if (targets.length === 0) throw new BadRequestError('the invite code names no address to reach its node')
      let stream: Stream
      try {
        stream = await h.dialProtocol(targets, PAIR_PROTOCOL, { signal: AbortSignal.timeout(DIAL_TIMEOUT_MS) })
      } catch (err) {
        throw new ServiceUnavailableError(`could not reach the inviting node (${invite.addresses.join(', ')}): ${(err as Error).message}. Both nodes must be running, and theirs reachable on its P2P port (HEARTH_P2P_PORT).`)
      }
      let reply: PairReply
      try {
        await writeJson(stream, { secret: invite.secret, name: config.HEARTH_NODE_NAME, addresses: h.addresses() })
        reply = await readJson(stream, AbortSignal.timeout(READ_TIMEOUT_MS)) as PairReply
        await stream.close().catch(() => {})
      } catch (err) {
        stream.abort(err as Error)
        throw new ServiceUnavailableError(`the inviting node stopped answering while pairing: ${(err as Error).message}`)
      }
      if (reply?.ok !== true) throw new BadRequestError(`the inviting node refused: ${typeof reply?.error === 'string' ? reply.error : 'no reason given'}`)
      const peer = await peers.add({ peerId: invite.peerId, name: typeof reply.name === 'string' && reply.name.trim() !== '' ? reply.name.slice(0, 200) : invite.name, addresses: invite.addresses, role: 'inviter' })
      paired.add(peer.peerId)
      log.info({ peer: peer.peerId, name: peer.name }, 'paired with a relative\'s node (we redeemed their invite)')
      return peer
    },
    /** Greets a paired node: whether it answers, its name and version, and how long it took. */
    async hello (id: string): Promise<{ online: boolean, name?: string, version?: string, ms?: number, error?: string }> {
      const h = running()
      const peer = UUID.test(id) ? await peers.byId(id) : undefined
      if (peer === undefined) throw new NotFoundError('Peer')
      const started = performance.now()
      try {
        const stream = await h.dialProtocol(dialable(peer.peerId, peer.addresses), HELLO_PROTOCOL, { signal: AbortSignal.timeout(DIAL_TIMEOUT_MS) })
        const answer = await readJson(stream, AbortSignal.timeout(READ_TIMEOUT_MS)) as Partial<Hello>
        await stream.close().catch(() => {})
        await peers.seen(peer.peerId)
        return { online: true, name: String(answer.name ?? ''), version: String(answer.version ?? ''), ms: Math.round(performance.now() - started) }
      } catch (err) {
        return { online: false, error: (err as Error).message }
      }
    },
    /** Unpairs: the node is forgotten, its connections closed, and refused from now on. */
    async unpair (id: string): Promise<void> {
      const peer = UUID.test(id) ? await peers.remove(id) : undefined
      if (peer === undefined) throw new NotFoundError('Peer')
      paired.delete(peer.peerId)
      await host?.hangUp(peerIdFromString(peer.peerId)).catch(() => {})
      log.info({ peer: peer.peerId, name: peer.name }, 'unpaired a relative\'s node')
    },
  }
}

export type Federation = ReturnType<typeof createFederation>
