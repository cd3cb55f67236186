// Pure: splits the output of one `vtysh -c A -c B …` of JSON show commands
// into one text per command. vtysh prints each daemon's answer as it comes,
// with nothing between them, so the boundaries are where a top-level JSON
// value closes (strings and their escapes skipped).

/** The top-level JSON values in `text`, in order, each as its own text. */
export function splitJsonDocuments(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const ch = text[i];
    if (inString) {
      if (ch === '\\') i += 1;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') inString = true;
    else if (ch === '{' || ch === '[') {
      if (depth === 0) start = i;
      depth += 1;
    } else if ((ch === '}' || ch === ']') && depth > 0) {
      depth -= 1;
      if (depth === 0) out.push(text.slice(start, i + 1));
    }
  }
  return out;
}
