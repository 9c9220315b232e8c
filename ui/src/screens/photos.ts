/** Placeholder while the screen is written. */
import { LitElement, html } from 'lit'
export class S extends LitElement { override render () { return html`<p>photos</p>` } }
customElements.define('hearth-photos', S)
