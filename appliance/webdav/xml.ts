/**
 * A small namespace-aware XML reader for WebDAV request bodies (PROPFIND, PROPPATCH, LOCK), and the
 * escaping used when writing responses. Enough of XML 1.0 for DAV: elements, attributes, text,
 * CDATA, comments and processing instructions; no DTDs (refused, so no entity expansion).
 */
export interface XmlElement {
  ns: string
  local: string
  attrs: Array<{ ns: string, local: string, value: string }>
  children: XmlNode[]
}
export type XmlNode = XmlElement | string

export class XmlError extends Error {}

const entities: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: '\'' }

function decodeEntities (s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);/g, (_m, e: string) => {
    if (e.startsWith('#x')) return String.fromCodePoint(parseInt(e.slice(2), 16))
    if (e.startsWith('#')) return String.fromCodePoint(parseInt(e.slice(1), 10))
    const v = entities[e]
    if (v === undefined) throw new XmlError(`unknown entity &${e};`)
    return v
  })
}

/** Parses a document and returns its root element; throws XmlError when it is not well formed. */
export function parseXml (text: string): XmlElement {
  let i = 0
  const stack: Array<{ el: XmlElement, qname: string, scope: Map<string, string> }> = []
  let root: XmlElement | undefined
  const nameRe = /[^\s/>=]+/y
  while (i < text.length) {
    if (text[i] !== '<') {
      const end = text.indexOf('<', i)
      const raw = text.slice(i, end < 0 ? text.length : end)
      if (stack.length === 0) { if (raw.trim() !== '') throw new XmlError('text outside the root element') } else stack.at(-1)!.el.children.push(decodeEntities(raw))
      i = end < 0 ? text.length : end
      continue
    }
    if (text.startsWith('<?', i)) { const e = text.indexOf('?>', i); if (e < 0) throw new XmlError('unterminated PI'); i = e + 2; continue }
    if (text.startsWith('<!--', i)) { const e = text.indexOf('-->', i); if (e < 0) throw new XmlError('unterminated comment'); i = e + 3; continue }
    if (text.startsWith('<![CDATA[', i)) {
      const e = text.indexOf(']]>', i)
      if (e < 0 || stack.length === 0) throw new XmlError('bad CDATA')
      stack.at(-1)!.el.children.push(text.slice(i + 9, e)); i = e + 3; continue
    }
    if (text.startsWith('<!', i)) throw new XmlError('DTDs are not accepted')
    if (text.startsWith('</', i)) {
      const e = text.indexOf('>', i)
      if (e < 0) throw new XmlError('unterminated end tag')
      const qname = text.slice(i + 2, e).trim()
      const top = stack.pop()
      if (top === undefined || top.qname !== qname) throw new XmlError(`mismatched end tag ${qname}`)
      i = e + 1
      continue
    }
    // Start tag.
    i++
    nameRe.lastIndex = i
    const m = nameRe.exec(text)
    if (m === null) throw new XmlError('bad tag name')
    const qname = m[0]
    i += qname.length
    const rawAttrs: Array<[string, string]> = []
    let selfClosing = false
    for (;;) {
      while (/\s/.test(text[i] ?? '')) i++
      if (i >= text.length) throw new XmlError('unterminated tag')
      if (text.startsWith('/>', i)) { selfClosing = true; i += 2; break }
      if (text[i] === '>') { i++; break }
      nameRe.lastIndex = i
      const a = nameRe.exec(text)
      if (a === null) throw new XmlError('bad attribute')
      i += a[0].length
      while (/\s/.test(text[i] ?? '')) i++
      if (text[i] !== '=') throw new XmlError('attribute without value')
      i++
      while (/\s/.test(text[i] ?? '')) i++
      const q = text[i]
      if (q !== '"' && q !== '\'') throw new XmlError('unquoted attribute')
      const e = text.indexOf(q, i + 1)
      if (e < 0) throw new XmlError('unterminated attribute')
      rawAttrs.push([a[0], decodeEntities(text.slice(i + 1, e))])
      i = e + 1
    }
    const scope = new Map(stack.at(-1)?.scope ?? [['xml', 'http://www.w3.org/XML/1998/namespace']])
    for (const [k, v] of rawAttrs) {
      if (k === 'xmlns') scope.set('', v)
      else if (k.startsWith('xmlns:')) {
        if (v === '') throw new XmlError('a prefix cannot be bound to the empty namespace')
        scope.set(k.slice(6), v)
      }
    }
    const resolveName = (q: string, isAttr: boolean) => {
      const c = q.indexOf(':')
      if (c < 0) return { ns: isAttr ? '' : (scope.get('') ?? ''), local: q }
      const ns = scope.get(q.slice(0, c))
      if (ns === undefined) throw new XmlError(`undeclared prefix ${q.slice(0, c)}`)
      return { ns, local: q.slice(c + 1) }
    }
    const el: XmlElement = {
      ...resolveName(qname, false),
      attrs: rawAttrs.filter(([k]) => k !== 'xmlns' && !k.startsWith('xmlns:')).map(([k, v]) => ({ ...resolveName(k, true), value: v })),
      children: [],
    }
    if (stack.length === 0) {
      if (root !== undefined) throw new XmlError('more than one root element')
      root = el
    } else stack.at(-1)!.el.children.push(el)
    if (!selfClosing) stack.push({ el, qname, scope })
  }
  if (stack.length > 0 || root === undefined) throw new XmlError('unterminated document')
  return root
}

export const elements = (el: XmlElement): XmlElement[] => el.children.filter((c): c is XmlElement => typeof c !== 'string')
export const child = (el: XmlElement, ns: string, local: string) => elements(el).find((c) => c.ns === ns && c.local === local)
export const textOf = (el: XmlElement): string => el.children.map((c) => typeof c === 'string' ? c : textOf(c)).join('')

export const escapeXml = (s: string) => s.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]!)

/** Writes an element back out with every namespace declared where it is used, so it stands alone. */
export function serialize (el: XmlElement, n = { i: 0 }): string {
  const tag = (ns: string, local: string, decls: string[]) => {
    if (ns === '') { decls.push('xmlns=""'); return local }
    const p = `ns${n.i++}`
    decls.push(`xmlns:${p}="${escapeXml(ns)}"`)
    return `${p}:${local}`
  }
  const decls: string[] = []
  const name = tag(el.ns, el.local, decls)
  const attrs = el.attrs.map((a) => {
    const an = a.ns === '' ? a.local : tag(a.ns, a.local, decls)
    return `${an}="${escapeXml(a.value)}"`
  })
  const inner = el.children.map((c) => typeof c === 'string' ? escapeXml(c) : serialize(c, n)).join('')
  return `<${[name, ...decls, ...attrs].join(' ')}>${inner}</${name}>`
}
