import { test } from 'node:test'
import assert from 'node:assert/strict'
import { decodeInvite, encodeInvite, InviteError, secretHash } from './invite.ts'

const invite = { peerId: '12D3KooWExample', addresses: ['/ip4/192.168.1.20/tcp/4001'], secret: 's3cret', expiresAt: '2026-12-09T10:00:00.000Z', name: 'Grandma' }

test('an invite code carries the node, its addresses, the secret and the expiry, and reads back the same', () => {
  const code = encodeInvite(invite)
  assert.match(code, /^hearth-invite:[A-Za-z0-9_-]+$/, 'one copyable word')
  assert.deepEqual(decodeInvite(`  ${code}\n`), invite, 'spaces around a pasted code do not matter')
})

test('a code that is not an invite, cut short or altered is refused with what to do', () => {
  assert.throws(() => decodeInvite('https://example.org'), (e: Error) => e instanceof InviteError && /starts with "hearth-invite:"/.test(e.message))
  const code = encodeInvite(invite)
  assert.throws(() => decodeInvite(code.slice(0, 30)), /damaged/)
  const other = 'hearth-invite:' + Buffer.from(JSON.stringify({ v: 2, p: 'x' })).toString('base64url')
  assert.throws(() => decodeInvite(other), /damaged or from a newer Hearth/)
})

test('only the secret\'s SHA-256 is kept (a known answer)', () => {
  assert.equal(secretHash('s3cret'), '1ec1c26b50d5d3c58d9583181af8076655fe00756bf7285940ba3670f99fcba0')
})
