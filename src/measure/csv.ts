/**
 * CSV reading and writing (RFC 4180: comma separator, double-quote quoting, `""` for a quote inside a
 * quoted field). The reader keeps the line each record starts on, so dataset errors can name it.
 */

export interface CsvRecord {
  /** 1-based line of the file where the record starts (the header is line 1). */
  line: number;
  fields: string[];
}

export interface CsvTable {
  header: string[];
  records: CsvRecord[];
}

/** Parses CSV text. Throws (with the line) on an unterminated quote or text after a closing quote. */
export function parseCsv(text: string): CsvTable {
  const rows: CsvRecord[] = [];
  let fields: string[] = [];
  let field = "";
  let line = 1;
  let recordLine = 1;
  let i = 0;
  let inQuotes = false;
  let quotedJustClosed = false;
  // A trailing newline must not produce an empty last record.
  const n = text.length;
  const endRecord = () => {
    fields.push(field);
    rows.push({ line: recordLine, fields });
    fields = [];
    field = "";
  };
  while (i < n) {
    const c = text[i];
    if (inQuotes) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        inQuotes = false;
        quotedJustClosed = true;
        i++;
        continue;
      }
      if (c === "\n") line++;
      field += c;
      i++;
      continue;
    }
    if (c === '"') {
      if (field !== "") throw new Error(`CSV line ${line}: a quote inside an unquoted field (quote the whole field)`);
      inQuotes = true;
      i++;
      continue;
    }
    if (c === ",") {
      fields.push(field);
      field = "";
      quotedJustClosed = false;
      i++;
      continue;
    }
    if (c === "\r" && text[i + 1] === "\n") {
      i++;
      continue;
    }
    if (c === "\n") {
      endRecord();
      quotedJustClosed = false;
      line++;
      recordLine = line;
      i++;
      continue;
    }
    if (quotedJustClosed) throw new Error(`CSV line ${line}: text after a closing quote`);
    field += c;
    i++;
  }
  if (inQuotes) throw new Error(`CSV line ${recordLine}: a quoted field is never closed`);
  if (field !== "" || fields.length > 0) endRecord();
  const nonEmpty = rows.filter((r) => !(r.fields.length === 1 && r.fields[0] === ""));
  if (nonEmpty.length === 0) throw new Error("CSV: the file is empty (a header row is required)");
  const [head, ...records] = nonEmpty;
  return { header: head.fields, records };
}

function quote(value: string): string {
  return /[",\n\r]/.test(value) || value !== value.trim() ? `"${value.replace(/"/g, '""')}"` : value;
}

/** Formats a header and rows (already turned into strings) as CSV with a trailing newline. */
export function formatCsv(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const out = [header.map(quote).join(",")];
  for (const r of rows) {
    if (r.length !== header.length) throw new Error(`formatCsv: a row has ${r.length} fields, the header ${header.length}`);
    out.push(r.map(quote).join(","));
  }
  return out.join("\n") + "\n";
}
