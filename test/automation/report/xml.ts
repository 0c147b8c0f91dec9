/**
 * A small, strict XML parser for the tests: enough of XML 1.0 to prove an SVG document is
 * well-formed (one root, every tag closed in order, quoted and unique attributes, only the
 * predefined and numeric entities, no stray `<` or `&`) and to query what it draws.
 */

/** An element with its attributes, children and text. */
export interface XmlElement {
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly children: XmlElement[];
  /** The element's own text, entities decoded. */
  text: string;
}

/** A document that is not well-formed: the message says where. */
export class XmlError extends Error {}

const NAME = /^[A-Za-z_:][\w:.-]*/;
const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

/** Parses a document and returns its root element. */
export function parseXml(source: string): XmlElement {
  let position = 0;
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;

  const fail = (message: string): never => {
    const line = source.slice(0, position).split("\n").length;
    throw new XmlError(`line ${line}: ${message}`);
  };

  const skipProlog = () => {
    for (;;) {
      const rest = source.slice(position);
      const space = /^\s+/.exec(rest);
      if (space) position += space[0].length;
      else if (rest.startsWith("<?xml")) position = endOf("?>");
      else if (rest.startsWith("<!--")) position = endOf("-->");
      else if (rest.startsWith("<!DOCTYPE")) position = endOf(">");
      else return;
    }
  };
  const endOf = (terminator: string): number => {
    const end = source.indexOf(terminator, position);
    if (end < 0) fail(`unterminated construct, expected ${terminator}`);
    return end + terminator.length;
  };

  skipProlog();
  while (position < source.length) {
    if (source.startsWith("<!--", position)) {
      position = endOf("-->");
    } else if (source.startsWith("</", position)) {
      position += 2;
      const name = NAME.exec(source.slice(position))?.[0] ?? fail("a closing tag without a name");
      position += name.length;
      const close = /^\s*>/.exec(source.slice(position)) ?? fail(`</${name} is not closed with >`);
      position += close[0].length;
      const open = stack.pop() ?? fail(`</${name}> closes nothing`);
      if (open.name !== name) fail(`</${name}> closes <${open.name}>`);
    } else if (source[position] === "<") {
      position += 1;
      const name = NAME.exec(source.slice(position))?.[0] ?? fail("a tag without a name");
      position += name.length;
      const attributes: Record<string, string> = {};
      for (;;) {
        const rest = source.slice(position);
        const end = /^\s*(\/?)>/.exec(rest);
        if (end) {
          position += end[0].length;
          const element: XmlElement = { name, attributes, children: [], text: "" };
          if (stack.length > 0) stack[stack.length - 1].children.push(element);
          else if (root) fail(`a second root element <${name}>`);
          else root = element;
          if (end[1] !== "/") stack.push(element);
          break;
        }
        const attribute = /^\s+([A-Za-z_:][\w:.-]*)\s*=\s*("([^"<]*)"|'([^'<]*)')/.exec(rest);
        if (!attribute) fail(`a malformed attribute in <${name}>: ${rest.slice(0, 40)}`);
        const [whole, key, , double, single] = attribute as RegExpExecArray;
        if (key in attributes) fail(`attribute ${key} repeated in <${name}>`);
        attributes[key] = decode(double ?? single, fail);
        position += whole.length;
      }
    } else {
      const next = source.indexOf("<", position);
      const text = source.slice(position, next < 0 ? source.length : next);
      if (stack.length === 0 && text.trim() !== "") fail("text outside the root element");
      if (stack.length > 0) stack[stack.length - 1].text += decode(text, fail);
      position = next < 0 ? source.length : next;
    }
  }
  if (stack.length > 0) fail(`<${stack[stack.length - 1].name}> is never closed`);
  return root ?? fail("no root element");
}

/** Every element below (and including) `root` with the name, in document order. */
export function findAll(root: XmlElement, name: string): XmlElement[] {
  const found: XmlElement[] = root.name === name ? [root] : [];
  for (const child of root.children) found.push(...findAll(child, name));
  return found;
}

/** All text below an element. */
export function textOf(element: XmlElement): string {
  return element.text + element.children.map(textOf).join("");
}

function decode(text: string, fail: (message: string) => never): string {
  return text.replace(/&([^;\s&<]*);?/g, (match: string, entity: string) => {
    if (!match.endsWith(";")) fail(`a bare & in text: ${match}`);
    if (entity in ENTITIES) return ENTITIES[entity];
    const numeric = /^#(x[0-9a-fA-F]+|\d+)$/.exec(entity);
    if (numeric) {
      const value = numeric[1].startsWith("x") ? parseInt(numeric[1].slice(1), 16) : Number(numeric[1]);
      return String.fromCodePoint(value);
    }
    return fail(`an undefined entity &${entity};`);
  });
}
