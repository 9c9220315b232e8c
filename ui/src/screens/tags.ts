/**
 * /tags: the owner's tags as a tree (Family › Grandma), a new tag, and /tags/:tagId, a tag's
 * timeline (its photos and those of the tags below it, Immich's `tagId`) with the selection bar,
 * the viewer at /tags/:tagId/:id, the tags below it, its colour, renaming it (the tags below
 * move with it) and deleting it (its photos stay).
 */
import { html, css, nothing } from 'lit'
import { GridScreen } from './photos.ts'
import { t } from '../strings.ts'
import { api } from '../api.ts'
import { navigate } from '../router.ts'
import { notify, notifyError } from '../notify.ts'
import type { Tag } from '../types.ts'

const depth = (tag: Tag) => tag.value.split('/').length - 1

export class TagsScreen extends GridScreen {
  static override properties = { ...GridScreen.properties, tags: { state: true }, loaded: { state: true }, renaming: { state: true } }
  static override styles = [...GridScreen.styles, css`
    .tags { padding: 12px 16px 8px; display: grid; gap: 10px; }
    .crumbs { display: flex; flex-wrap: wrap; align-items: baseline; gap: 6px; margin: 0; font-size: 1.4rem; }
    .crumbs a { color: var(--h-text-2); text-decoration: none; font-weight: 400; }
    .crumbs a:hover { text-decoration: underline; }
    .row { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; }
    .chip { display: inline-flex; align-items: center; gap: 6px; padding: 4px 12px; border-radius: 999px; background: var(--h-surface-2); color: var(--h-text); text-decoration: none; }
    .chip:hover { background: var(--h-surface-3); }
    .dot { width: 10px; height: 10px; border-radius: 50%; background: var(--dot, var(--h-text-2)); flex: none; }
    label.colour { display: inline-flex; gap: 6px; align-items: center; }
    input[type=color] { width: 36px; height: 28px; padding: 0; border: 1px solid var(--h-border); border-radius: 6px; background: none; }
    ul.tree { list-style: none; margin: 0; padding: 0; display: grid; gap: 2px; }
    ul.tree a { display: flex; align-items: center; gap: 8px; padding: 6px 8px; border-radius: 8px; color: var(--h-text); text-decoration: none; }
    ul.tree a:hover { background: var(--h-surface-2); }
    form { display: flex; gap: 8px; flex-wrap: wrap; align-items: center; }
    form input { min-width: 16rem; }
  `]

  tags: Tag[] = []
  loaded = false
  renaming = false

  override connectedCallback (): void { super.connectedCallback(); void this.loadTags() }

  private get tagId (): string | undefined { return this.params.tagId }
  private get tag (): Tag | undefined { return this.tags.find((x) => x.id === this.tagId) }

  override willUpdate (): void {
    super.willUpdate()
    const id = this.tagId
    this.basePath = id === undefined ? '/tags' : `/tags/${id}`
    if (id !== undefined && this.filters.tagId !== id) this.filters = { visibility: 'timeline', tagId: id }
  }

  private async loadTags (): Promise<void> {
    try { this.tags = await api.get<Tag[]>('/api/tags') } catch (err) { notifyError(err) } finally { this.loaded = true }
  }

  private async create (e: SubmitEvent): Promise<void> {
    e.preventDefault()
    const input = (e.target as HTMLFormElement).elements.namedItem('name') as HTMLInputElement
    const name = input.value.trim()
    if (name === '') return
    try {
      const [made] = await api.put<Tag[]>('/api/tags', { tags: [this.tag !== undefined ? `${this.tag.value}/${name}` : name] })
      input.value = ''
      await this.loadTags()
      if (made !== undefined) navigate(`/tags/${made.id}`)
    } catch (err) { notifyError(err) }
  }

  private async colour (tag: Tag, color: string): Promise<void> {
    try {
      await api.put(`/api/tags/${tag.id}`, { color })
      this.tags = this.tags.map((x) => x.id === tag.id ? { ...x, color } : x)
    } catch (err) { notifyError(err) }
  }

  private async rename (tag: Tag, e: SubmitEvent): Promise<void> {
    e.preventDefault()
    const name = String(new FormData(e.target as HTMLFormElement).get('name') ?? '').trim()
    if (name === '' || name === tag.name) { this.renaming = false; return }
    try {
      const renamed = await api.put<Tag>(`/api/tags/${tag.id}`, { name })
      notify(t.tags.renamed(renamed.value))
      this.renaming = false
      await this.loadTags()
    } catch (err) { notifyError(err) }
  }

  private async deleteTag (tag: Tag): Promise<void> {
    const below = this.tags.filter((x) => x.value.startsWith(tag.value + '/')).length
    if (!confirm(t.tags.deleteConfirm(tag.value, below))) return
    try {
      await api.del(`/api/tags/${tag.id}`)
      notify(t.tags.deleted(tag.value))
      const parent = this.tags.find((x) => x.id === tag.parentId)
      await this.loadTags()
      navigate(parent !== undefined ? `/tags/${parent.id}` : '/tags')
    } catch (err) { notifyError(err) }
  }

  private newTagForm () {
    return html`<form @submit=${(e: SubmitEvent) => void this.create(e)}>
      <input name="name" aria-label=${this.tag !== undefined ? t.tags.newBelow(this.tag.value) : t.tags.newTag} placeholder=${this.tag !== undefined ? t.tags.newBelow(this.tag.name) : t.tags.placeholder} maxlength="200">
      <button type="submit">${t.tags.create}</button></form>`
  }

  /** A link to the tag's page, its colour as a dot: a chip (`chip`) or a row of the tree. */
  private link (tag: Tag, className = '') {
    return html`<a class=${className} href="/tags/${tag.id}"><span class="dot" style=${tag.color !== undefined ? `--dot:${tag.color}` : ''}></span>${tag.name}</a>`
  }

  protected override header (): unknown {
    const tag = this.tag
    if (tag === undefined) return nothing
    const ancestors = this.tags.filter((x) => tag.value.startsWith(x.value + '/')).sort((a, b) => depth(a) - depth(b))
    const children = this.tags.filter((x) => x.parentId === tag.id)
    return html`<div class="tags">
      <h1 class="crumbs"><a href="/tags">${t.tags.title}</a>${ancestors.map((a) => html`<span aria-hidden="true">›</span><a href="/tags/${a.id}">${a.name}</a>`)}<span aria-hidden="true">›</span>${this.renaming
        ? html`<form @submit=${(e: SubmitEvent) => void this.rename(tag, e)}><input name="name" .value=${tag.name} aria-label=${t.tags.newName} maxlength="200" autofocus
            @keydown=${(e: KeyboardEvent) => { if (e.key === 'Escape') this.renaming = false }}><button class="primary" type="submit">${t.people.save}</button><button type="button" @click=${() => { this.renaming = false }}>${t.people.cancel}</button></form>`
        : html`<span>${tag.name}</span>`}</h1>
      ${children.length > 0 ? html`<div class="row" role="list" aria-label=${t.tags.below}>${children.map((c) => html`<span role="listitem">${this.link(c, 'chip')}</span>`)}</div>` : nothing}
      <div class="row">
        <label class="colour">${t.tags.colour}<input type="color" .value=${tag.color ?? '#888888'} @change=${(e: Event) => void this.colour(tag, (e.target as HTMLInputElement).value)}></label>
        ${this.newTagForm()}
        ${this.renaming ? nothing : html`<button @click=${() => { this.renaming = true }}>${t.tags.rename}</button>`}
        <button class="danger" @click=${() => void this.deleteTag(tag)}>${t.tags.delete}</button>
      </div></div>`
  }

  override render () {
    if (this.tagId !== undefined) {
      if (this.loaded && this.tag === undefined) return html`<div class="page"><p>${t.tags.notFound}</p><a href="/tags">${t.tags.all}</a></div>`
      return super.render()
    }
    return html`<div class="page">
      <h1>${t.tags.title}</h1>
      <p class="muted">${t.tags.intro}</p>
      ${this.newTagForm()}
      ${!this.loaded ? html`<p class="muted">${t.app.loading}</p>`
        : this.tags.length === 0 ? html`<p class="muted">${t.tags.empty}</p>`
        : html`<ul class="tree" aria-label=${t.tags.title}>${this.tags.map((x) => html`<li style="padding-left:${depth(x) * 22}px">${this.link(x)}</li>`)}</ul>`}
    </div>`
  }
}
customElements.define('hearth-tags', TagsScreen)
