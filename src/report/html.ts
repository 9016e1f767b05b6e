// Building HTML without injection: the `html` template tag escapes every value put into it (run
// names, class and column names, paths, config text), except values that are already Html, made
// by `html` itself or by `trusted` for markup dlf produced (the SVG charts, whose text vega's
// serialiser escapes). Nothing a user wrote can become a tag or an attribute of the report.

/** A piece of markup that is safe to insert as it is. */
export class Html {
  constructor(readonly markup: string) {}
  toString(): string {
    return this.markup;
  }
}

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** `text` as HTML text or attribute value: & < > " ' become entities. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]);
}

/** A value in a template: Html as it is, a list item by item, nothing for undefined, null and false, else escaped text. */
function render(v: unknown): string {
  if (v instanceof Html) return v.markup;
  if (Array.isArray(v)) return v.map(render).join('');
  if (v === undefined || v === null || v === false) return '';
  return escapeHtml(String(v));
}

/** The template tag: `html\`<td>${name}</td>\`` escapes name. */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0];
  values.forEach((v, i) => (out += render(v) + strings[i + 1]));
  return new Html(out);
}

/** Markup dlf made itself and vouches for (an SVG chart), inserted unescaped. */
export function trusted(markup: string): Html {
  return new Html(markup);
}
