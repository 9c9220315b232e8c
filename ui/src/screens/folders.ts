/**
 * /folders: the library as it lies on disk (Synology Photos' folder view, Immich's folders): the
 * shares' folders and the uploads', a breadcrumb, the folders inside, and the photos directly in
 * this one (`?path=`), which open in the viewer at /folders/photos/:id (← and → step through the
 * folder). Nothing here touches the files: the paths only pick photos Hearth indexed.
 */
import { LitElement, html, css, nothing } from 'lit'
import { base } from '../styles.ts'
import { t } from '../strings.ts'
import { api, media } from '../api.ts'
import { navigate } from '../router.ts'
import { notify, notifyError } from '../notify.ts'
import { icon } from '../icons.ts'
import { placeholder } from '../lib/thumbhash.ts'
import { localDateTime } from '../lib/format.ts'
import { arrayList, setViewerList } from '../lib/viewer-nav.ts'
import { ancestry, folderTree, type Folder, type FolderTree } from '../lib/folders.ts'
import type { Asset } from '../types.ts'

const folderHref = (path: string) => `/folders?${new URLSearchParams({ path }).toString()}`

export class FoldersScreen extends LitElement {
  static override properties = { params: { attribute: false }, query: { attribute: false }, tree: { state: true }, assets: { state: true }, loading: { state: true }, viewerReady: { state: true } }
  static override styles = [base, css`
    :host { display: block; height: 100%; overflow-y: auto; position: relative; }
    .crumbs { display: flex; flex-wrap: wrap; align-items: baseline; gap: 6px; margin: 0 0 14px; font-size: 1.3rem; word-break: break-all; }
    .crumbs a { color: var(--h-text-2); text-decoration: none; font-weight: 400; }
    .crumbs a:hover { text-decoration: underline; }
    ul.folders { list-style: none; margin: 0 0 18px; padding: 0; display: grid; grid-template-columns: repeat(auto-fill, minmax(200px, 1fr)); gap: 8px; }
    ul.folders a { display: flex; align-items: center; gap: 10px; padding: 10px 12px; border-radius: 10px; background: var(--h-surface-2); color: var(--h-text); text-decoration: none; overflow: hidden; }
    ul.folders a:hover { background: var(--h-surface-3); }
    ul.folders span { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
    ul.folders svg.i { flex: none; color: var(--h-accent); }
    .bar { display: flex; align-items: center; gap: 12px; flex-wrap: wrap; margin-bottom: 8px; } .bar p { margin: 0; flex: 1; }
    .grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(150px, 1fr)); gap: 4px; }
    @media (max-width: 700px) { .grid { grid-template-columns: repeat(3, 1fr); gap: 2px; } }
    .grid a { position: relative; display: block; aspect-ratio: 1; background: var(--h-placeholder) center / cover no-repeat; border-radius: 4px; overflow: hidden; }
    .grid img { width: 100%; height: 100%; object-fit: cover; display: block; }
    .grid a:focus-visible { outline: 3px solid var(--h-focus); outline-offset: -3px; }
  `]

  params: Record<string, string> = {}
  query = new URLSearchParams()
  tree: FolderTree | undefined
  /** The photos directly in the folder shown. */
  assets: Asset[] = []
  loading = false
  viewerReady = false
  private shown: string | undefined

  override connectedCallback (): void {
    super.connectedCallback()
    // The viewer steps through this folder; a photo it trashes leaves the folder.
    setViewerList({ ...arrayList(() => this.assets.map((a) => a.id)), removed: () => { if (this.shown !== undefined) void this.load(this.shown) } })
    void api.get<string[]>('/api/view/folder/unique-paths').then((paths) => { this.tree = folderTree(paths) }, (err) => { this.tree = folderTree([]); notifyError(err) })
  }

  private get path (): string | undefined { return this.query.get('path') ?? undefined }

  override willUpdate (): void {
    if (this.params.id !== undefined && !this.viewerReady) void import('../components/viewer.ts').then(() => { this.viewerReady = true })
    const path = this.path
    if (path !== this.shown) {
      this.shown = path
      this.assets = []
      if (path !== undefined) void this.load(path)
    }
  }

  private async load (path: string): Promise<void> {
    this.loading = true
    try {
      const assets = await api.get<Asset[]>(`/api/view/folder?${new URLSearchParams({ path }).toString()}`)
      if (path === this.shown) this.assets = assets
    } catch (err) { notifyError(err) } finally { this.loading = false }
  }

  private open (e: MouseEvent, id: string): void {
    if (e.metaKey || e.ctrlKey || e.shiftKey) return
    e.preventDefault()
    navigate(`/folders/photos/${id}?${this.query.toString()}`)
  }

  /** The folder's own photos as ZIP archives, named after it (not the folders inside). */
  private async download (name: string): Promise<void> {
    try {
      const { actions } = await import('../lib/actions.ts')
      notify(t.albums.downloading(await actions.download(this.assets.map((a) => a.id), { name: name.split('/').filter((x) => x !== '').pop() ?? name })))
    } catch (err) { notifyError(err) }
  }

  private folders (list: Folder[]) {
    return list.length === 0 ? nothing : html`<ul class="folders" aria-label=${t.folders.inside}>${list.map((f) => html`<li><a href=${folderHref(f.path)} title=${f.path}>${icon('folder')}<span>${f.name}</span></a></li>`)}</ul>`
  }

  override render () {
    const tree = this.tree
    const path = this.path
    const here = path === undefined ? undefined : tree?.find(path)
    return html`<div class="page">
      ${path === undefined
        ? html`<h1>${t.folders.title}</h1><p class="muted">${t.folders.intro}</p>`
        : html`<h1 class="crumbs"><a href="/folders">${t.folders.title}</a>${(here === undefined ? [] : ancestry(here)).map((f, i, all) => html`<span aria-hidden="true">›</span>${i === all.length - 1 ? html`<span>${f.name}</span>` : html`<a href=${folderHref(f.path)}>${f.name}</a>`}`)}${here === undefined ? html`<span aria-hidden="true">›</span><span>${path}</span>` : nothing}</h1>`}
      ${tree === undefined ? html`<p class="muted">${t.app.loading}</p>`
        : path === undefined ? (tree.tops.length === 0 ? html`<p class="muted">${t.folders.empty}</p>` : this.folders(tree.tops))
        : html`${this.folders(here?.children ?? [])}
          ${this.loading ? html`<p class="muted">${t.app.loading}</p>`
            : this.assets.length === 0 ? (here?.children.length ?? 0) > 0 ? nothing : html`<p class="muted">${t.folders.none}</p>`
            : html`<div class="bar"><p class="muted">${t.folders.count(this.assets.length)}</p>
                <button @click=${() => void this.download(here?.name ?? path)}>${icon('download')}${t.folders.download}</button></div><div class="grid" role="list">${this.assets.map((a) => {
                const alt = t.timeline.photo(a.originalFileName, localDateTime(a.localDateTime))
                const ph = placeholder(a.id, a.thumbhash)
                return html`<a role="listitem" href="/folders/photos/${a.id}?${this.query.toString()}" aria-label=${alt} title=${a.originalFileName} style=${ph === undefined ? '' : `background-image:url(${ph})`}
                  @click=${(e: MouseEvent) => this.open(e, a.id)}>${a.thumbhash === null ? nothing : html`<img src=${media.thumbnail(a.id)} alt=${alt} loading="lazy" decoding="async">`}</a>`
              })}</div>`}`}
    </div>
    ${this.params.id !== undefined && this.viewerReady ? html`<hearth-viewer .assetId=${this.params.id} basePath="/folders/photos" @close=${() => navigate(`/folders?${this.query.toString()}`)}
      @asset-moved=${() => { if (this.shown !== undefined) void this.load(this.shown) }}></hearth-viewer>` : nothing}`
  }
}
customElements.define('hearth-folders', FoldersScreen)
