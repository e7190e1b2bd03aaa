// A tiny XML well-formedness check for the SVG the report draws (tests only): balanced tags,
// quoted attributes, no raw `<` or bare `&` in text. Enough for our generated markup.

/** Returns the first problem found in `xml`, or undefined when it is well-formed. */
export function xmlProblem(xml: string): string | undefined {
  const stack: string[] = [];
  const token = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>|<!--[\s\S]*?-->|([^<]+)|(<)/g;
  for (let m = token.exec(xml); m; m = token.exec(xml)) {
    const [, closing, name, , selfClosing, text, stray] = m;
    if (stray) return `stray "<" at ${m.index}: ${xml.slice(m.index, m.index + 40)}`;
    if (text !== undefined) {
      const amp = /&(?!(amp|lt|gt|quot|#39|#\d+|middot|minus);)/.exec(text);
      if (amp) return `bare "&" at ${m.index + amp.index}`;
      continue;
    }
    if (!name) continue;
    if (closing) {
      const open = stack.pop();
      if (open !== name) return `</${name}> closes <${open ?? 'nothing'}> at ${m.index}`;
    } else if (!selfClosing) {
      stack.push(name);
    }
  }
  return stack.length ? `unclosed <${stack.join('> <')}>` : undefined;
}

/** Every `<svg ...>...</svg>` element in `html`. */
export function svgElements(html: string): string[] {
  return html.match(/<svg[\s\S]*?<\/svg>/g) ?? [];
}
