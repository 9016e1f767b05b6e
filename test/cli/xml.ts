// A small XML well-formedness check for the SVG that dlf draws (no XML parser is installed): one
// root element, every start tag closed in order, attributes quoted and not repeated, and only the
// five predefined entities or character references in text and attribute values. It throws
// naming the first problem, and returns the elements in document order with their attributes and
// the text directly inside them, for the tests to query.
export interface XmlElement {
  readonly name: string;
  readonly attrs: Record<string, string>;
  /** Text directly inside, entities decoded. */
  text: string;
  readonly parent?: XmlElement;
}

const NAME = /^[A-Za-z_:][\w:.-]*$/;
const decode = (s: string, where: string) =>
  s.replace(/&([^;]*);/g, (all, ref: string) => {
    const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
    if (ref in named) return named[ref];
    const m = /^#(x[0-9A-Fa-f]+|[0-9]+)$/.exec(ref);
    if (!m) throw new Error(`unknown entity ${all} in ${where}`);
    return String.fromCodePoint(m[1][0] === 'x' ? parseInt(m[1].slice(1), 16) : Number(m[1]));
  });

export function parseXml(doc: string): XmlElement[] {
  const elements: XmlElement[] = [];
  const open: XmlElement[] = [];
  let roots = 0;
  let i = 0;
  const text = (s: string) => {
    if (/&(?![^;\s]*;)/.test(s)) throw new Error(`a bare & in text near ${JSON.stringify(s.slice(0, 40))}`);
    const t = decode(s, 'text');
    if (open.length) open[open.length - 1].text += t;
    else if (t.trim()) throw new Error(`text outside the root element: ${JSON.stringify(t.slice(0, 40))}`);
  };
  while (i < doc.length) {
    const lt = doc.indexOf('<', i);
    if (lt < 0) {
      text(doc.slice(i));
      break;
    }
    text(doc.slice(i, lt));
    if (doc.startsWith('<?', lt)) i = doc.indexOf('?>', lt) + 2;
    else if (doc.startsWith('<!--', lt)) {
      const end = doc.indexOf('-->', lt);
      if (end < 0) throw new Error('an unclosed comment');
      if (doc.slice(lt + 4, end).includes('--')) throw new Error('"--" inside a comment');
      i = end + 3;
    } else if (doc.startsWith('<!DOCTYPE', lt)) i = doc.indexOf('>', lt) + 1;
    else if (doc.startsWith('</', lt)) {
      const end = doc.indexOf('>', lt);
      const name = doc.slice(lt + 2, end).trim();
      const top = open.pop();
      if (!top || top.name !== name) throw new Error(`</${name}> closes <${top?.name ?? 'nothing'}>`);
      i = end + 1;
    } else {
      const end = doc.indexOf('>', lt);
      if (end < 0) throw new Error('an unclosed tag');
      let body = doc.slice(lt + 1, end);
      const selfClosing = body.endsWith('/');
      if (selfClosing) body = body.slice(0, -1);
      const name = /^\S+/.exec(body)?.[0] ?? '';
      if (!NAME.test(name)) throw new Error(`a bad element name '${name}'`);
      const attrs: Record<string, string> = {};
      const rest = body.slice(name.length);
      const re = /\s+([^\s=]+)\s*=\s*("([^"<]*)"|'([^'<]*)')/gy;
      let at = 0;
      for (let m = re.exec(rest); m; m = re.exec(rest)) {
        if (!NAME.test(m[1])) throw new Error(`a bad attribute name '${m[1]}' on <${name}>`);
        if (m[1] in attrs) throw new Error(`attribute ${m[1]} repeated on <${name}>`);
        attrs[m[1]] = decode(m[3] ?? m[4], `attribute ${m[1]} of <${name}>`);
        at = re.lastIndex;
      }
      if (rest.slice(at).trim()) throw new Error(`unparsable attributes on <${name}>: ${rest.slice(at, at + 40)}`);
      if (!open.length && ++roots > 1) throw new Error('more than one root element');
      const el: XmlElement = { name, attrs, text: '', parent: open[open.length - 1] };
      elements.push(el);
      if (!selfClosing) open.push(el);
      i = end + 1;
    }
  }
  if (open.length) throw new Error(`<${open[open.length - 1].name}> is never closed`);
  if (roots !== 1) throw new Error('no root element');
  return elements;
}

/** The text of an element and of everything inside it but titles (SVG's tooltips), one line per element. */
export function textWithin(elements: readonly XmlElement[], el: XmlElement): string {
  const inside = (e: XmlElement | undefined): boolean => e !== undefined && (e === el || inside(e.parent));
  return elements
    .filter((e) => inside(e) && e.name !== 'title' && e.text.trim() !== '')
    .map((e) => e.text.trim())
    .join('\n');
}
