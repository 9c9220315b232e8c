import assert from 'node:assert/strict'
import { test } from 'node:test'
import { bytesToUnicode, cleanText, CONTEXT_LENGTH, END_TOKEN, loadClipTokenizer, START_TOKEN } from './tokenizer.ts'

const tok = await loadClipTokenizer()

test('the shipped vocabulary has 49,408 ids, start and end last', () => {
  assert.equal(tok.vocabularySize, 49408)
  assert.equal(START_TOKEN, 49406)
  assert.equal(END_TOKEN, 49407)
})

test('"a photo of a cat" gives the ids the CLIP README states, padded with 0 to 77', () => {
  const row = tok.encode('a photo of a cat')
  assert.equal(row.length, CONTEXT_LENGTH)
  assert.deepEqual([...row.slice(0, 7)], [49406, 320, 1125, 539, 320, 2368, 49407])
  assert.ok(row.slice(7).every((x) => x === 0))
})

test('byte-level table: printable ASCII first, in order; the other bytes after', () => {
  const { table, order } = bytesToUnicode()
  assert.equal(order.length, 256)
  assert.equal(new Set(table).size, 256)
  assert.equal(order[0], 0x21)
  assert.equal(table[0x20], '\u0120') // space is the 33rd remapped byte: Ġ, as in GPT-2
  assert.equal(table[0x41], 'A')
})

test('single characters map to the byte ids + 256 (the "</w>" half of the base vocabulary)', () => {
  // '!' is byte 0x21, the first of the base table: id 0 alone, 256 at the end of a word.
  assert.deepEqual(tok.tokens('!'), [START_TOKEN, 256, END_TOKEN])
  // Digits are split one by one by the pre-tokeniser: '0' is 0x30 → 15 + 256.
  assert.deepEqual(tok.tokens('2019'), [START_TOKEN, 273, 271, 272, 280, END_TOKEN])
  assert.deepEqual(tok.tokens('x'), [START_TOKEN, 0x78 - 0x21 + 256, END_TOKEN])
  // Punctuation between letters splits words: a , b
  assert.deepEqual(tok.tokens('a,b'), [START_TOKEN, 320, 267, 0x62 - 0x21 + 256, END_TOKEN])
})

test('known words from the CLIP vocabulary', () => {
  assert.deepEqual(tok.tokens('hello world'), [START_TOKEN, 3306, 1002, END_TOKEN])
  assert.deepEqual(tok.tokens("Grandma's birthday!!"), [START_TOKEN, 10525, 568, 1166, 748, END_TOKEN])
})

test('cleanup: case, runs of whitespace, curly quotes, HTML entities and UTF-8 read as Latin-1 do not change the ids', () => {
  assert.deepEqual(tok.tokens('  A \t Photo\n\nOF a CAT '), tok.tokens('a photo of a cat'))
  assert.deepEqual(tok.tokens('don’t'), tok.tokens("don't"))
  assert.deepEqual(tok.tokens('fish &amp; chips'), tok.tokens('fish & chips'))
  assert.deepEqual(tok.tokens('cafÃ©'), tok.tokens('café'))
  assert.deepEqual(tok.tokens('ﬁsh'), tok.tokens('fish'))
  assert.deepEqual(tok.tokens('ＣＡＴ'), tok.tokens('cat'))
  assert.equal(cleanText('e\u0301'), 'é') // NFC
})

test('words not in the vocabulary fall back to smaller pieces and round-trip', () => {
  const ids = tok.tokens('qzxqzx')
  assert.ok(ids.length > 3, 'an unknown word is several tokens')
  assert.deepEqual(ids.slice(1, 4), [0x71 - 0x21, 0x7a - 0x21, 0x78 - 0x21]) // q z x, not word-final
  assert.equal(tok.decode(ids), 'qzxqzx')
  assert.equal(tok.decode(tok.tokens('hearthographically')), 'hearthographically')
})

test('unicode: accented letters, CJK and emoji are bytes merged by BPE, and decode back', () => {
  for (const s of ['café', '日本の写真', 'a photo of a 🐱', 'São Paulo', 'Zürich']) {
    const ids = tok.tokens(s)
    assert.ok(ids.every((id) => id >= 0 && id < 49408))
    assert.equal(tok.decode(ids), cleanText(s).replace(/([^\s\p{L}\p{N}]+)/gu, '$1'))
  }
  // A rare emoji has no token of its own: its four UTF-8 bytes end up as several byte-pair pieces.
  const ids = tok.tokens('🫎')
  assert.ok(ids.length > 3, `several pieces, got ${ids.join(',')}`)
  assert.equal(tok.decode(ids), '🫎')
})

test('long text is cut to 77 with the end token kept', () => {
  const long = Array.from({ length: 200 }, () => 'cat').join(' ')
  const row = tok.encode(long)
  assert.equal(row.length, 77)
  assert.equal(row[0], START_TOKEN)
  assert.equal(row[76], END_TOKEN)
  assert.ok([...row.slice(1, 76)].every((x) => x === 2368))
  // Exactly 75 content tokens fit without cutting.
  const fits = tok.encode(Array.from({ length: 75 }, () => 'cat').join(' '))
  assert.equal(fits[75], 2368)
  assert.equal(fits[76], END_TOKEN)
})

test('empty text is start and end only', () => {
  assert.deepEqual(tok.tokens('   '), [START_TOKEN, END_TOKEN])
})
