/**
 * Reads the checkable examples out of a Markdown reference: fenced code blocks and tables, in document
 * order, each with the line it starts on, whether only blank lines separate it from the item before,
 * and the `<!-- doc-test: key=value ... -->` directive written just before it (invisible when rendered).
 */

export interface CodeBlock {
  kind: 'code';
  lang: string;
  text: string;
  line: number;
  /** Only blank lines (or a directive) between this block and the previous item. */
  adjacent: boolean;
  directives: Record<string, string>;
}

export interface Table {
  kind: 'table';
  header: string[];
  rows: { line: number; cells: string[] }[];
  line: number;
  adjacent: boolean;
  directives: Record<string, string>;
}

export type MarkdownItem = CodeBlock | Table;

const FENCE = /^(`{3,})\s*([\w-]*)\s*$/;
const DIRECTIVE = /^<!--\s*doc-test:(.*?)-->\s*$/;
const DELIMITER_ROW = /^\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?$/;

export function readMarkdown(markdown: string): MarkdownItem[] {
  const lines = markdown.split('\n');
  const items: MarkdownItem[] = [];
  let directives: Record<string, string> = {};
  let adjacent = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const fence = FENCE.exec(line);
    const directive = DIRECTIVE.exec(line.trim());
    if (fence) {
      const close = lines.findIndex((l, j) => j > i && l.trim() === fence[1]);
      if (close === -1) throw new Error(`line ${i + 1}: a code fence is never closed`);
      items.push({
        kind: 'code',
        lang: fence[2] ?? '',
        text: lines.slice(i + 1, close).join('\n'),
        line: i + 1,
        adjacent,
        directives,
      });
      directives = {};
      adjacent = true;
      i = close;
    } else if (line.startsWith('|') && DELIMITER_ROW.test((lines[i + 1] ?? '').trim())) {
      const header = splitRow(line);
      const rows: Table['rows'] = [];
      let j = i + 2;
      for (; j < lines.length && (lines[j] as string).startsWith('|'); j++) {
        rows.push({ line: j + 1, cells: splitRow(lines[j] as string) });
      }
      items.push({ kind: 'table', header, rows, line: i + 1, adjacent, directives });
      directives = {};
      adjacent = true;
      i = j - 1;
    } else if (directive) {
      for (const pair of (directive[1] ?? '').trim().split(/\s+/)) {
        const [key, value] = pair.split('=');
        if (key && value) directives[key] = value;
      }
    } else if (line.trim() !== '') {
      adjacent = false;
    }
  }
  return items;
}

/** The cells of a table row; `\|` is a pipe inside a cell. */
export function splitRow(line: string): string[] {
  const cells: string[] = [];
  let cell = '';
  const body = line.trim().replace(/^\|/, '').replace(/\|$/, '');
  for (let i = 0; i < body.length; i++) {
    if (body[i] === '\\' && body[i + 1] === '|') {
      cell += '|';
      i++;
    } else if (body[i] === '|') {
      cells.push(cell.trim());
      cell = '';
    } else cell += body[i];
  }
  cells.push(cell.trim());
  return cells;
}

/** The code spans of a cell, in order. */
export function codeSpans(cell: string): string[] {
  return [...cell.matchAll(/`([^`]*)`/g)].map((m) => m[1] ?? '');
}

/**
 * A value as an example table writes it: `` `text` `` with ␣ for a space and ↵ for a line break, or
 * *(blank)* / *(empty)* / nothing for an empty cell.
 */
export function cellValue(cell: string): string {
  if (cell === '' || /^\*\((blank|empty)\)\*$/.test(cell)) return '';
  const [span] = codeSpans(cell);
  if (span === undefined) throw new Error(`"${cell}" is neither \`a value\` nor *(blank)*`);
  return span.replaceAll('␣', ' ').replaceAll('↵', '\n');
}
