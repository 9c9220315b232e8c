import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { seedPglite } from '../../test/helpers/pglite-template.ts'
import { openDatabase } from '../../node/db/index.ts'
import { createPeerRepo } from './repo.ts'

test('invites: open ones admit, each is used once, and old used or expired ones are forgotten', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'hearth-peers-'))
  t.after(() => rm(dir, { recursive: true, force: true }))
  await seedPglite(join(dir, 'db'))
  const db = await openDatabase({ dataDir: join(dir, 'db') })
  t.after(() => db.close())
  const peers = createPeerRepo(db)
  const day = 86_400_000
  await peers.createInvite({ secretSha256: 'open', createdBy: undefined, expiresAt: new Date(Date.now() + day) })
  await peers.createInvite({ secretSha256: 'expired-lately', createdBy: undefined, expiresAt: new Date(Date.now() - 10 * day) })
  await peers.createInvite({ secretSha256: 'expired-long-ago', createdBy: undefined, expiresAt: new Date(Date.now() - 40 * day) })
  assert.equal(await peers.openInvites(), 1)
  assert.equal(await peers.consumeInvite('expired-lately', 'x'), false, 'an expired invite is not used')
  assert.equal(await peers.consumeInvite('open', 'peer-a'), true)
  assert.equal(await peers.consumeInvite('open', 'peer-b'), false, 'once')
  assert.equal(await peers.openInvites(), 0)
  assert.equal(await peers.pruneInvites(), 1)
  const left = await db.query<{ secret_sha256: string }>('SELECT secret_sha256 FROM federation_invites ORDER BY secret_sha256')
  assert.deepEqual(left.map((r) => r.secret_sha256), ['expired-lately', 'open'])
})
