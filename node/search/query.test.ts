import assert from 'node:assert/strict'
import { test } from 'node:test'
import { parseQuery } from './query.ts'

// Wednesday 25 November 2026, midday local time.
const now = new Date(2026, 10, 25, 12)
const read = (q: string) => {
  const p = parseQuery(q, { now })
  return { dates: p.dates.map((d) => `${d.label} ${d.from.toISOString().slice(0, 10)}..${d.to.toISOString().slice(0, 10)}`), words: p.words }
}

test('years, "in <year>", ranges and decades', () => {
  assert.deepEqual(read('2019'), { dates: ['2019 2019-01-01..2020-01-01'], words: [] })
  assert.deepEqual(read('beach in 2019'), { dates: ['2019 2019-01-01..2020-01-01'], words: ['beach'] })
  assert.deepEqual(read('between 2018 and 2020').dates, ['2018–2020 2018-01-01..2021-01-01'])
  assert.deepEqual(read('1990s').dates, ['1990s 1990-01-01..2000-01-01'])
})

test('months and days in several spellings', () => {
  assert.deepEqual(read('July 2021').dates, ['July 2021 2021-07-01..2021-08-01'])
  assert.deepEqual(read('photos in Lisbon, jul 2021'), { dates: ['July 2021 2021-07-01..2021-08-01'], words: ['photos', 'in', 'lisbon'] })
  assert.deepEqual(read('14 July 2019').dates, ['2019-07-14 2019-07-14..2019-07-15'])
  assert.deepEqual(read('July 14, 2019').dates, ['2019-07-14 2019-07-14..2019-07-15'])
  assert.deepEqual(read('2019-07-14').dates, ['2019-07-14 2019-07-14..2019-07-15'])
  assert.deepEqual(read('dec. 2020').dates, ['December 2020 2020-12-01..2021-01-01'])
  assert.deepEqual(read('31 February 2020').dates, ['2020 2020-01-01..2021-01-01'], 'no such day: only the year is read')
})

test('relative dates follow "now"', () => {
  assert.deepEqual(read('yesterday').dates, ['yesterday 2026-11-24..2026-11-25'])
  assert.deepEqual(read('today').dates, ['today 2026-11-25..2026-11-26'])
  assert.deepEqual(read('last year').dates, ['2025 2025-01-01..2026-01-01'])
  assert.deepEqual(read('last month').dates, ['last month 2026-10-01..2026-11-01'])
  // In late November, the summer that has ended most recently is this year's.
  assert.deepEqual(read('last summer at the beach'), { dates: ['summer 2026 2026-06-01..2026-09-01'], words: ['at', 'the', 'beach'] })
  assert.deepEqual(parseQuery('last summer', { now: new Date(2026, 6, 10) }).dates.map((d) => d.label), ['summer 2025'])
  assert.deepEqual(read('winter 2019').dates, ['winter 2019/2020 2019-12-01..2020-03-01'])
})

test('numbers that are not dates stay words', () => {
  assert.deepEqual(read('IMG_2019.jpg'), { dates: [], words: ['img_2019.jpg'] })
  assert.deepEqual(read('summer'), { dates: [], words: ['summer'] })
  assert.deepEqual(read('Canon EOS 40D'), { dates: [], words: ['canon', 'eos', '40d'] })
  assert.deepEqual(read('route 66'), { dates: [], words: ['route', '66'] })
})
