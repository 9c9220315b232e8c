/**
 * Pairing two households' Hearth nodes, with two real Hearth processes (one on each engine when
 * PostgreSQL is there) and a stranger's libp2p node made here: the stranger is refused before any
 * stream while no invite is open, and refused by the pairing protocol with a wrong secret while one
 * is; a damaged or tampered code is refused; the real code pairs both nodes (each lists the other),
 * once; the paired nodes greet each other both ways, also after a restart (the identity and the
 * pairing persist); unpairing closes the door again. Only admins pair. A node whose P2P port is
 * taken runs without federation and says why.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createLibp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { multiaddr } from '@multiformats/multiaddr'
import { engines } from '../helpers/engines.ts'
import { deferrals, hearthCli, sandbox } from '../helpers/process.ts'
import { decodeInvite, encodeInvite } from '../../federation/pairing/invite.ts'
import { HELLO_PROTOCOL, PAIR_PROTOCOL, readJson, writeJson } from '../../federation/pairing/protocol.ts'

test('two households pair their nodes with an invite code; strangers are refused', async (t) => {
  const defer = deferrals(t)
  const dirs = await Promise.all([0, 1].map(() => mkdtemp(join(tmpdir(), 'hearth-federation-'))))
  defer(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))))
  const grandma = await sandbox(t, 'pglite', { dataDir: dirs[0], defer })
  const family = await sandbox(t, engines.includes('postgres') ? 'postgres' : 'pglite', { dataDir: dirs[1], defer })
  const a = await grandma.start({ HEARTH_FEDERATION: 'on', HEARTH_NODE_NAME: 'Grandma' })
  let b = await family.start({ HEARTH_FEDERATION: 'on', HEARTH_NODE_NAME: 'The Smiths' })
  const adminA = await a.client.signUpAdmin()
  const adminB = await b.client.signUpAdmin()
  const bob = await a.client.createUser(adminA, 'bob@example.org')

  const node = await a.client.call('GET', '/api/federation/node', { headers: adminA.headers })
  assert.equal(node.status, 200, JSON.stringify(node.body))
  assert.equal(node.body.name, 'Grandma')
  assert.match(node.body.peerId, /^12D3Koo/)
  assert.ok((node.body.addresses as string[]).some((x) => x.startsWith('/ip4/127.0.0.1/tcp/')), JSON.stringify(node.body.addresses))
  assert.equal((await stat(join(dirs[0]!, 'keys/p2p_ed25519.key'))).mode & 0o777, 0o600, 'the identity key is the owner\'s only')

  // A P2P port already taken (here by Grandma's node): the rest of Hearth runs, and says why federation does not.
  const taken = /\/tcp\/(\d+)\//.exec((node.body.addresses as string[])[0]!)![1]!
  const third = await (await sandbox(t, 'pglite', { defer })).start({ HEARTH_FEDERATION: 'on', HEARTH_P2P_PORT: taken })
  const adminC = await third.client.signUpAdmin()
  const notRunning = await third.client.call('GET', '/api/federation/node', { headers: adminC.headers })
  assert.equal(notRunning.status, 503)
  assert.equal(notRunning.body.message, `Federation is not running on this node: the P2P port ${taken} could not be opened: it is already in use. Set HEARTH_P2P_PORT to a free port (another program, IPFS for one, may hold ${taken}) and restart Hearth`)
  assert.equal((await third.client.call('GET', '/api/users/me', { headers: adminC.headers })).status, 200)
  await third.stop()

  // A stranger's node, as anyone on the internet could run.
  const stranger = await createLibp2p({ transports: [tcp()], connectionEncrypters: [noise()], streamMuxers: [yamux()] })
  defer(() => stranger.stop())
  const address = multiaddr((node.body.addresses as string[]).find((x) => x.startsWith('/ip4/127.0.0.1/'))!)
  /** What a stranger's greeting gets: no connection at all (the gater), a refused stream, or an answer. */
  const strangerHello = async (): Promise<string> => {
    let s
    try {
      s = await stranger.dialProtocol(address, HELLO_PROTOCOL, { signal: AbortSignal.timeout(5000) })
    } catch (err) {
      return `no connection: ${(err as Error).message}`
    }
    try {
      return `answered ${JSON.stringify(await readJson(s, AbortSignal.timeout(3000)))}`
    } catch (err) {
      return `stream refused: ${(err as Error).message}`
    }
  }
  assert.match(await strangerHello(), /^no connection/, 'no invite open: a stranger gets no connection at all')

  // Only admins make invites.
  assert.equal((await a.client.call('POST', '/api/federation/invites', { headers: bob.headers, body: {} })).status, 403)
  assert.equal((await a.client.call('POST', '/api/federation/invites', { body: {} })).status, 401)
  const made = await a.client.call('POST', '/api/federation/invites', { headers: adminA.headers, body: {} })
  assert.equal(made.status, 201, JSON.stringify(made.body))
  const code = made.body.code as string
  const invite = decodeInvite(code)
  assert.equal(invite.peerId, node.body.peerId)
  assert.ok(Date.parse(made.body.expiresAt) > Date.now() + 71 * 3600_000, 'good for 72 hours')

  // While an invite is open a stranger may connect, but greeting is for paired nodes only, and a
  // guessed secret is refused (and uses nothing up).
  assert.match(await strangerHello(), /^stream refused/)
  const guess = await stranger.dialProtocol(address, PAIR_PROTOCOL, { signal: AbortSignal.timeout(5000) })
  await writeJson(guess, { secret: 'a guess', name: 'Stranger', addresses: [] })
  assert.deepEqual(await readJson(guess, AbortSignal.timeout(5000)), { ok: false, error: 'this invite code is wrong, already used or expired: ask for a new one' })
  const tampered = encodeInvite({ ...invite, secret: invite.secret.slice(0, -2) + (invite.secret.endsWith('AA') ? 'BB' : 'AA') })
  const refusedPair = await b.client.call('POST', '/api/federation/pair', { headers: adminB.headers, body: { code: tampered } })
  assert.equal(refusedPair.status, 400)
  assert.match(refusedPair.body.message, /refused: this invite code is wrong/)
  const damaged = await b.client.call('POST', '/api/federation/pair', { headers: adminB.headers, body: { code: code.slice(0, 40) } })
  assert.equal(damaged.status, 400)
  assert.match(damaged.body.message, /damaged/)
  assert.equal((await a.client.call('POST', '/api/federation/pair', { headers: adminA.headers, body: { code } })).status, 400, 'a node cannot pair with itself')
  const expired = await b.client.call('POST', '/api/federation/pair', { headers: adminB.headers, body: { code: encodeInvite({ ...invite, expiresAt: '2026-01-01T00:00:00.000Z' }) } })
  assert.equal(expired.status, 400)
  assert.match(expired.body.message, /expired on 2026-01-01.*ask for a new one/)

  const paired = await b.client.call('POST', '/api/federation/pair', { headers: adminB.headers, body: { code } })
  assert.equal(paired.status, 201, JSON.stringify(paired.body))
  assert.deepEqual([paired.body.name, paired.body.role, paired.body.peerId], ['Grandma', 'inviter', node.body.peerId])
  const peersOfA = (await a.client.call('GET', '/api/federation/peers', { headers: adminA.headers })).body as Array<{ id: string, name: string, role: string, peerId: string }>
  assert.deepEqual(peersOfA.map((p) => [p.name, p.role]), [['The Smiths', 'invitee']])
  const again = await b.client.call('POST', '/api/federation/pair', { headers: adminB.headers, body: { code } })
  assert.equal(again.status, 400, 'an invite is good once')
  await stranger.hangUp(address).catch(() => {})
  assert.match(await strangerHello(), /^no connection/, 'the invite used, strangers get no connection again')

  // Greeting both ways, also after the relative's node restarts.
  const hi = async (c: typeof a.client, headers: Record<string, string>, id: string) => (await c.call('POST', `/api/federation/peers/${id}/hello`, { headers })).body
  assert.deepEqual(pick(await hi(b.client, adminB.headers, paired.body.id)), { online: true, name: 'Grandma' })
  assert.deepEqual(pick(await hi(a.client, adminA.headers, peersOfA[0]!.id)), { online: true, name: 'The Smiths' })
  await b.stop()
  b = await family.start({ HEARTH_FEDERATION: 'on', HEARTH_NODE_NAME: 'The Smiths' })
  const adminB2 = await b.client.login('admin@example.org', 'correct horse battery')
  assert.equal((await b.client.call('GET', '/api/federation/node', { headers: adminB2.headers })).body.peerId, peersOfA[0]!.peerId, 'the identity is kept across restarts')
  assert.deepEqual(pick(await hi(b.client, adminB2.headers, paired.body.id)), { online: true, name: 'Grandma' })

  // Unpaired: forgotten, and refused.
  assert.equal((await a.client.call('DELETE', `/api/federation/peers/${peersOfA[0]!.id}`, { headers: adminA.headers })).status, 204)
  assert.deepEqual((await a.client.call('GET', '/api/federation/peers', { headers: adminA.headers })).body, [])
  const after = await hi(b.client, adminB2.headers, paired.body.id)
  assert.equal(after.online, false, JSON.stringify(after))
  assert.equal((await a.client.call('DELETE', '/api/federation/peers/not-an-id', { headers: adminA.headers })).status, 404)

  // hearth doctor tells who this node is to its relatives, and with how many it is paired.
  await b.stop()
  const doctor = await hearthCli(['doctor'], { HEARTH_DATA_DIR: dirs[1]!, ...family.dbEnv, HEARTH_FEDERATION: 'on', HEARTH_NODE_NAME: 'The Smiths' })
  assert.match(doctor.stdout, new RegExp(`^\\[ok {2}\\] Federation: peer id ${peersOfA[0]!.peerId} as "The Smiths" \\(HEARTH_NODE_NAME\\); paired with 1 relative's node$`, 'm'), doctor.stdout)
})

const pick = (r: { online: boolean, name?: string }) => ({ online: r.online, name: r.name })
