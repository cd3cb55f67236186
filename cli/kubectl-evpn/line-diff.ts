// Pure: a minimal line diff (longest common subsequence) of two texts, enough
// for rendered FRR configs of a few hundred lines.
export interface DiffLine {
  readonly op: '+' | '-' | ' ';
  readonly text: string;
}

/** lcs[i][j]: length of the longest common subsequence of a[i..] and b[j..]. */
function lcsTable(a: readonly string[], b: readonly string[]): number[][] {
  const lcs: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    const row = lcs[i] ?? [];
    const next = lcs[i + 1] ?? [];
    for (let j = b.length - 1; j >= 0; j--)
      row[j] = a[i] === b[j] ? (next[j + 1] ?? 0) + 1 : Math.max(next[j] ?? 0, row[j + 1] ?? 0);
  }
  return lcs;
}

export function diffLines(before: string, after: string): DiffLine[] {
  const a = before.split('\n');
  const b = after.split('\n');
  const lcs = lcsTable(a, b);
  const out: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const op = nextOp(a, b, lcs, i, j);
    if (op === '+') {
      out.push({ op, text: b[j] ?? '' });
      j++;
    } else {
      out.push({ op, text: a[i] ?? '' });
      i++;
      if (op === ' ') j++;
    }
  }
  return out;
}

/** The next step of the walk at a[i], b[j]: keep, insert b[j], or delete a[i]. */
function nextOp(a: readonly string[], b: readonly string[], lcs: number[][], i: number, j: number): DiffLine['op'] {
  if (i < a.length && j < b.length && a[i] === b[j]) return ' ';
  if (j < b.length && (i >= a.length || (lcs[i]?.[j + 1] ?? 0) >= (lcs[i + 1]?.[j] ?? 0))) return '+';
  return '-';
}

/** Changed lines, each with the nearest enclosing unindented line (its FRR block) for context. */
export function changedLinesWithContext(diff: readonly DiffLine[]): string[] {
  const out: string[] = [];
  let block = '';
  let printedBlock = '';
  for (const d of diff) {
    const topLevel = !d.text.startsWith(' ') && d.text !== '!' && d.text !== '';
    if (d.op === ' ') {
      if (topLevel) block = d.text;
      continue;
    }
    if (topLevel) block = d.text;
    else if (block !== '' && block !== printedBlock) {
      out.push(`  ${block}`);
    }
    printedBlock = block;
    out.push(`${d.op} ${d.text}`);
  }
  return out;
}
