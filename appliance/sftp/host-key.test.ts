import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadOrCreateHostKey } from './host-key.ts'

// ssh2 generates an Ed25519 key its own parser refuses about once in 250: without the retry,
// 1,000 fresh data folders would all start only about 2% of the time.
test('a new host key always loads (1,000 fresh data folders)', async () => {
  const root = await mkdtemp(join(tmpdir(), 'hearth-hostkey-'))
  try {
    for (let i = 0; i < 1000; i++) {
      const key = await loadOrCreateHostKey(join(root, String(i)))
      assert.match(key.fingerprint, /^SHA256:/)
    }
  } finally {
    await rm(root, { recursive: true, force: true })
  }
})
