/** Placeholder while the screen is written. */
import { LitElement, html } from 'lit'
export class S extends LitElement { override render () { return html`<p>favorites</p>` } }
customElements.define('hearth-favorites', S)
