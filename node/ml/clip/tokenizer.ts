/**
 * OpenAI CLIP's byte-level BPE tokenizer (the one `clip.tokenize` and Immich's ML server use), in
 * TypeScript, against the real vocabulary `bpe_simple_vocab_16e6.txt.gz` (49,408 ids with the start
 * and end tokens).
 *
 * Where the vocabulary comes from: Hearth ships the gz file in `models/clip/` (MIT, OpenAI; the
 * licence sits beside it). It is the same BPE that the `immich` pack's `tokenizer.json` carries, but
 * shipping it keeps text search's tokens independent of which model pack is installed (a remote ML
 * server, or a pack without the tokenizer file, still needs ids) and avoids parsing Hugging Face's
 * JSON format for a list that never changes. 1.3 MB is small next to any CLIP model.
 *
 * @example
 * const tok = await loadClipTokenizer()
 * tok.encode('a photo of a cat')     // Int32Array(77) [49406, 320, 1125, 539, 320, 2368, 49407, 0, ...]
 */
import { readFile } from 'node:fs/promises'
import { gunzipSync } from 'node:zlib'

export const vocabularyPath = new URL('../../../models/clip/bpe_simple_vocab_16e6.txt.gz', import.meta.url)

export const START_TOKEN = 49406
export const END_TOKEN = 49407
export const CONTEXT_LENGTH = 77

/**
 * GPT-2's byte ↔ printable-unicode table: every byte gets a visible character, so BPE never sees
 * whitespace or controls. Indexed by byte. `order` is the reference's dict order (printable bytes
 * first, then the rest), which is the order of the first 256 vocabulary ids.
 */
export function bytesToUnicode (): { table: string[], order: number[] } {
  const bs: number[] = []
  for (let b = 0x21; b <= 0x7e; b++) bs.push(b)
  for (let b = 0xa1; b <= 0xac; b++) bs.push(b)
  for (let b = 0xae; b <= 0xff; b++) bs.push(b)
  const table: string[] = new Array(256)
  for (const b of bs) table[b] = String.fromCodePoint(b)
  let n = 0
  for (let b = 0; b < 256; b++) {
    if (table[b] === undefined) { table[b] = String.fromCodePoint(256 + n); bs.push(b); n++ }
  }
  return { table, order: bs }
}

// CLIP's pre-tokeniser: special tokens, English contractions, runs of letters, single digits, runs of other symbols.
const pattern = /<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|\p{L}+|\p{N}|[^\s\p{L}\p{N}]+/giu

const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0', hellip: '…', ndash: '–', mdash: '—', lsquo: '‘', rsquo: '’', ldquo: '“', rdquo: '”', eacute: 'é', egrave: 'è', agrave: 'à', ccedil: 'ç', uuml: 'ü', ouml: 'ö', auml: 'ä', szlig: 'ß', copy: '©', reg: '®', deg: '°', euro: '€' }

function htmlUnescape (s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, ent: string) => {
    if (ent[0] === '#') {
      const cp = ent[1] === 'x' || ent[1] === 'X' ? parseInt(ent.slice(2), 16) : parseInt(ent.slice(1), 10)
      return Number.isFinite(cp) && cp > 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : whole
    }
    return named[ent.toLowerCase()] ?? whole
  })
}

/**
 * The parts of ftfy.fix_text that change what CLIP sees in a search box: UTF-8 read as Latin-1
 * ("cafÃ©" → "café"), curly quotes straightened (so "don’t" splits like "don't"), Latin ligatures and
 * full-width forms unfolded, control characters dropped, NFC. ftfy's long tail of mojibake heuristics
 * is left out: typed queries rarely carry it.
 */
export function fixText (text: string): string {
  let s = text
  if (/[ÃÂâ][\u0080-\u00bf]/.test(s) && [...s].every((c) => c.codePointAt(0)! < 256)) {
    try { s = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(s, 'latin1')) } catch { /* not mojibake */ }
  }
  s = s.replace(/[‘’‚‛′]/g, "'").replace(/[“”„‟″]/g, '"')
  s = s.replace(/[\ufb00-\ufb06]/g, (c) => c.normalize('NFKC'))
  s = s.replace(/[\uff01-\uff5e\u3000]/g, (c) => c.normalize('NFKC'))
  s = s.replace(/\r\n?/g, '\n')
  // eslint-disable-next-line no-control-regex
  s = s.replace(/[\u0000-\u0008\u000b\u000e-\u001f\u007f\u200b\ufeff]/g, '')
  return s.normalize('NFC')
}

/** basic_clean + whitespace_clean + lower(), as CLIP's simple_tokenizer does them. */
export function cleanText (text: string): string {
  return htmlUnescape(htmlUnescape(fixText(text))).trim().replace(/\s+/g, ' ').trim().toLowerCase()
}

export interface ClipTokenizer {
  /** Ids without padding: start, the text's tokens, end. */
  tokens(text: string): number[]
  /** A [77] row: start, up to 75 tokens, end, then zeros. Longer text is cut, keeping the end token. */
  encode(text: string, contextLength?: number): Int32Array
  /** Ids back to text (for tests and debugging). */
  decode(ids: Iterable<number>): string
  readonly vocabularySize: number
}

/** Builds a tokenizer from the vocabulary file's text (the merges list, one pair a line). */
export function createClipTokenizer (merges: string): ClipTokenizer {
  // As simple_tokenizer.py: the first line is a version header; 48,894 merges are used.
  const lines = merges.split('\n').slice(1, 49152 - 256 - 2 + 1)
  const { table: byteChars, order } = bytesToUnicode()
  const base = order.map((b) => byteChars[b]!)
  const vocab: string[] = [...base, ...base.map((c) => c + '</w>')]
  const ranks = new Map<string, number>()
  lines.forEach((line, i) => {
    const [a, b] = line.split(' ')
    if (a === undefined || b === undefined) throw new Error(`CLIP vocabulary line ${i + 2} is not a merge: ${JSON.stringify(line)}`)
    ranks.set(`${a} ${b}`, i)
    vocab.push(a + b)
  })
  vocab.push('<|startoftext|>', '<|endoftext|>')
  if (vocab.length !== 49408) throw new Error(`CLIP vocabulary has ${vocab.length} tokens, expected 49408`)
  const encoder = new Map(vocab.map((t, i) => [t, i]))
  const cache = new Map<string, string[]>([['<|startoftext|>', ['<|startoftext|>']], ['<|endoftext|>', ['<|endoftext|>']]])
  const utf8 = new TextEncoder()

  function bpe (token: string): string[] {
    const hit = cache.get(token)
    if (hit !== undefined) return hit
    const chars = [...token]
    let word = [...chars.slice(0, -1), chars[chars.length - 1] + '</w>']
    while (word.length > 1) {
      let best = -1
      let bestRank = Infinity
      for (let i = 0; i < word.length - 1; i++) {
        const r = ranks.get(`${word[i]} ${word[i + 1]}`)
        if (r !== undefined && r < bestRank) { bestRank = r; best = i }
      }
      if (best < 0) break
      const first = word[best]!
      const second = word[best + 1]!
      // Merge every occurrence of the pair, left to right, as the reference does.
      const next: string[] = []
      for (let i = 0; i < word.length;) {
        if (i < word.length - 1 && word[i] === first && word[i + 1] === second) { next.push(first + second); i += 2 } else { next.push(word[i]!); i++ }
      }
      word = next
    }
    // Bounded: a search box's vocabulary is small, but a hostile client could send endless new words.
    if (cache.size > 50_000) cache.clear()
    cache.set(token, word)
    return word
  }

  function tokens (text: string): number[] {
    const out: number[] = [START_TOKEN]
    for (const m of cleanText(text).matchAll(pattern)) {
      let mapped = ''
      for (const b of utf8.encode(m[0])) mapped += byteChars[b]
      for (const piece of bpe(mapped)) out.push(encoder.get(piece)!)
    }
    out.push(END_TOKEN)
    return out
  }

  const decoder = new Map([...encoder].map(([t, i]) => [i, t]))
  const byteOf = new Map(byteChars.map((c, b) => [c, b]))

  return {
    vocabularySize: vocab.length,
    tokens,
    encode (text, contextLength = CONTEXT_LENGTH) {
      const ids = tokens(text)
      if (ids.length > contextLength) { ids.length = contextLength; ids[contextLength - 1] = END_TOKEN }
      const row = new Int32Array(contextLength)
      row.set(ids)
      return row
    },
    decode (ids) {
      let s = ''
      for (const id of ids) {
        if (id === END_TOKEN) break
        if (id !== START_TOKEN) s += decoder.get(id) ?? ''
      }
      const bytes = [...s.replace(/<\/w>/g, ' ')].map((c) => c === ' ' ? 0x20 : byteOf.get(c) ?? 0x3f)
      return Buffer.from(bytes).toString('utf8').trim()
    },
  }
}

let shared: Promise<ClipTokenizer> | undefined

/** The tokenizer over the shipped vocabulary, loaded once per process. */
export function loadClipTokenizer (path: URL | string = vocabularyPath): Promise<ClipTokenizer> {
  if (path !== vocabularyPath) return readFile(path).then((gz) => createClipTokenizer(gunzipSync(gz).toString('utf8')))
  shared ??= readFile(path).then((gz) => createClipTokenizer(gunzipSync(gz).toString('utf8')))
  return shared
}
