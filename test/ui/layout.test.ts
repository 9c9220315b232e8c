/** The timeline's justified layout and date parsing (pure functions from ui/src/lib). */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { layoutMonth, estimateMonthHeight, localDay } from '../../ui/src/lib/layout.ts'
import { parseDateQuery } from '../../ui/src/lib/query.ts'

const o = { width: 1000, rowHeight: 200, gap: 4, monthHeader: 56, dayHeader: 36 }

test('full rows fill the width exactly; the last row of a day keeps the target height', () => {
  const ratios = [1.5, 1.5, 1.5, 0.75, 1, 1.33, 1.5]
  const L = layoutMonth(ratios, ratios.map(() => '2024-07-14'), o)
  const rows = L.rows
  assert.ok(rows.length >= 2)
  for (const r of rows.slice(0, -1)) {
    const last = L.tiles[r.end - 1]
    assert.ok(Math.abs(last.x + last.w - o.width) < 0.01, `row ends at the edge: ${last.x + last.w}`)
    for (let i = r.start; i < r.end; i++) assert.ok(Math.abs(L.tiles[i].w / L.tiles[i].h - ratios[i]) < 1e-9, 'aspect ratio kept')
  }
  assert.equal(rows.at(-1)!.h, 200)
  assert.equal(L.days.length, 1)
  assert.equal(L.tiles[0].y, 56 + 36)
})

test('days start on their own rows, one under another', () => {
  const L = layoutMonth([1, 1, 1], ['2024-07-14', '2024-07-14', '2024-07-02'], o)
  assert.deepEqual(L.days.map((d) => [d.key, d.start, d.end]), [['2024-07-14', 0, 2], ['2024-07-02', 2, 3]])
  assert.ok(L.tiles[2].y > L.tiles[0].y + L.tiles[0].h)
  assert.equal(L.tiles[2].x, 0)
})

test('estimates grow with the count and are within a factor of the real height for typical months', () => {
  const ratios = Array.from({ length: 300 }, (_, i) => [1.5, 0.75, 1.33, 1][i % 4])
  const days = ratios.map((_, i) => `2024-07-${String(1 + Math.floor(i / 10)).padStart(2, '0')}`)
  const real = layoutMonth(ratios, days, o).height
  const est = estimateMonthHeight(300, o)
  assert.ok(est / real > 0.6 && est / real < 1.6, `estimate ${est} vs real ${real}`)
  assert.ok(estimateMonthHeight(10, o) < estimateMonthHeight(100, o))
})

test('the local day uses the offset of the place it was taken', () => {
  assert.equal(localDay('2024-07-14T23:30:00.000Z', 2), '2024-07-15')
  assert.equal(localDay('2024-07-14T01:00:00.000Z', -5), '2024-07-13')
})

test('dates typed in the search box', () => {
  assert.deepEqual(parseDateQuery('2019'), { after: '2019-01-01T00:00:00.000Z', before: '2020-01-01T00:00:00.000Z', label: '2019' })
  assert.equal(parseDateQuery('2021-03')?.before, '2021-04-01T00:00:00.000Z')
  assert.equal(parseDateQuery('2021-03-14')?.after, '2021-03-14T00:00:00.000Z')
  assert.equal(parseDateQuery('March 2021')?.after, '2021-03-01T00:00:00.000Z')
  assert.equal(parseDateQuery('14 March 2021')?.before, '2021-03-15T00:00:00.000Z')
  assert.equal(parseDateQuery('Dec 2020')?.before, '2021-01-01T00:00:00.000Z')
  assert.equal(parseDateQuery('beach'), undefined)
})

test('durations from the timeline (seconds) and from asset replies (H:MM:SS.ffffff)', async () => {
  const { duration } = await import('../../ui/src/lib/format.ts')
  assert.equal(duration('3'), '0:03')
  assert.equal(duration('12.5'), '0:13')
  assert.equal(duration('0:01:05.000000'), '1:05')
  assert.equal(duration('1:02:03.000000'), '1:02:03')
  assert.equal(duration(null), '')
})
