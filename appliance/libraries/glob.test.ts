import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createExclusionMatcher, defaultExclusionPatterns, excludedBelow, globToRegExp } from './glob.ts'

test('the default exclusions skip NAS, macOS and Windows clutter and nothing else', () => {
  const m = createExclusionMatcher(defaultExclusionPatterns)
  for (const folder of ['/v/photo/@eaDir', '/v/photo/2019/@eaDir', '/v/photo/#recycle', '/v/photo/#snapshot', '/v/photo/.@__thumb', '/v/photo/@Recycle', '/v/p/.zfs', '/v/p/.Trash-1000', '/v/p/.AppleDouble', '/v/p/@EADIR']) {
    assert.ok(m.excludesFolder(folder), folder)
  }
  for (const file of ['/v/photo/._IMG_1.JPG', '/v/photo/a/.DS_Store', '/v/photo/Thumbs.db', '/v/photo/thumbs.db', '/v/photo/x/desktop.ini']) {
    assert.ok(m.excludesFile(file), file)
  }
  for (const folder of ['/v/photo/2019', '/v/photo/eaDir', '/v/photo/recycle', '/v/photo/._folder']) assert.ok(!m.excludesFolder(folder), folder)
  for (const file of ['/v/photo/IMG_1.JPG', '/v/photo/_IMG.jpg', '/v/photo/a._b.jpg', '/v/photo/@eaDir.jpg']) assert.ok(!m.excludesFile(file), file)
})

test('glob syntax: *, **, ?, classes, braces, escapes; case-insensitive', () => {
  const cases: Array<[string, string, boolean]> = [
    ['**/*.tmp', '/a/b/c.tmp', true],
    ['**/*.tmp', '/a/b/c.tmp/d.jpg', false],
    ['/v/photo/private/**', '/v/photo/private/x/y.jpg', true],
    ['/v/photo/private/**', '/v/photo/privateer/y.jpg', false],
    ['/v/*/raw/*.dng', '/v/photo/raw/a.DNG', true],
    ['/v/*/raw/*.dng', '/v/photo/x/raw/a.dng', false],
    ['**/IMG_????.jpg', '/a/IMG_0001.jpg', true],
    ['**/IMG_????.jpg', '/a/IMG_01.jpg', false],
    ['**/[!a]*.jpg', '/x/b.jpg', true],
    ['**/[!a]*.jpg', '/x/a.jpg', false],
    ['**/[0-9]*.jpg', '/x/7up.jpg', true],
    ['**/*.{mp4,MOV}', '/x/a.mov', true],
    ['**/*.{mp4,mov}', '/x/a.jpg', false],
    ['**/a\\*b.jpg', '/x/a*b.jpg', true],
    ['**/a\\*b.jpg', '/x/axxb.jpg', false],
    ['**', '/anything/at/all', true],
  ]
  for (const [glob, path, expected] of cases) assert.equal(globToRegExp(glob).test(path), expected, `${glob} vs ${path}`)
})

test('patterns without a slash match a base name anywhere; relative ones with a slash match at any depth', () => {
  const m = createExclusionMatcher(['*.tmp', 'Private/**', 'cache'])
  assert.ok(m.excludesFile('/v/a/b.tmp'))
  assert.ok(m.excludesFolder('/v/a/private'))
  assert.ok(m.excludesFile('/v/a/Private/x.jpg'))
  assert.ok(m.excludesFile('/v/cache'))
  assert.ok(!m.excludesFolder('/v/a/cache'), 'a name pattern excludes files of that name, not folders')
})

test('a folder named by a watch event inside an excluded folder is excluded', () => {
  const m = createExclusionMatcher(defaultExclusionPatterns)
  assert.ok(excludedBelow(m, '/v/photo', '/v/photo/2019/@eaDir/IMG_1.JPG'))
  assert.ok(!excludedBelow(m, '/v/photo', '/v/photo/2019/summer'))
  assert.ok(!excludedBelow(m, '/v/photo', '/v/photo'))
})

test('broken patterns are refused with a reason', () => {
  assert.throws(() => createExclusionMatcher(['**/[abc']), /without its "\]"/)
  assert.throws(() => createExclusionMatcher(['**/{a,b']), /without its "}"/)
  assert.throws(() => createExclusionMatcher(['**/a\\']), /lone backslash/)
})
