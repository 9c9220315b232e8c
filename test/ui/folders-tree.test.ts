/** The folder view's tree (ui/src/lib/folders.ts), built from the server's unique paths. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ancestry, folderTree, type Folder } from '../../ui/src/lib/folders.ts'

const shape = (f: Folder): unknown => f.children.length === 0 ? `${f.name}${f.holds ? '*' : ''}` : { [`${f.name}${f.holds ? '*' : ''}`]: f.children.map(shape) }

test('a share starts where it branches; the uploads are their own top; folders sort as people count (2 before 10)', () => {
  const tree = folderTree([
    '/volume1/photo/2019/Lisbon', '/volume1/photo/2019/Porto', '/volume1/photo/2019', '/volume1/photo/10 Ten', '/volume1/photo/2 Two',
    'library/ada/2024/05', 'library/ada/2024/06',
  ])
  assert.deepEqual(tree.tops.map(shape), [
    { '/volume1/photo': ['2 Two*', '10 Ten*', { '2019*': ['Lisbon*', 'Porto*'] }] },
    { 'library/ada/2024': ['05*', '06*'] },
  ])
  const porto = tree.find('/volume1/photo/2019/Porto')!
  assert.deepEqual(ancestry(porto).map((f) => [f.name, f.path]), [['/volume1/photo', '/volume1/photo'], ['2019', '/volume1/photo/2019'], ['Porto', '/volume1/photo/2019/Porto']])
  assert.equal(tree.find('/volume1'), undefined, 'above the top is not shown')
  assert.equal(tree.find('library/ada/2024/05')!.parent!.path, 'library/ada/2024')
})

test('two shares with nothing in common are two tops; a folder holding photos is never passed through; nothing is nothing', () => {
  assert.deepEqual(folderTree(['/a/x', '/b/y']).tops.map((f) => f.path), ['/a', '/b'])
  assert.deepEqual(folderTree(['/share', '/share/kids']).tops.map(shape), [{ '/share*': ['kids*'] }])
  assert.deepEqual(folderTree(['/share/only']).tops.map(shape), ['/share/only*'])
  assert.deepEqual(folderTree([]).tops, [])
})
