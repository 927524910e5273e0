/**
 * RFC 4180 CSV, parsed as the text streams in: quoted fields may hold commas, doubled quotes
 * and line breaks; lines end in CRLF, LF or CR. Only the current record is held, so a file of
 * any length is read in constant memory. A stray quote inside an unquoted field is kept as text,
 * as spreadsheet programs do.
 */

const State = {
  FieldStart: 0,
  Unquoted: 1,
  Quoted: 2,
  /** A quote inside a quoted field: the closing one, or the first of a doubled pair. */
  QuoteInQuoted: 3,
} as const;
type State = (typeof State)[keyof typeof State];

export class CsvParser {
  private state: State = State.FieldStart;
  private field = '';
  private record: string[] = [];
  /** A CR just ended a record: an LF right after it belongs to the same line break. */
  private afterCr = false;

  /** Parses one chunk of text; returns the records it completed. */
  push(chunk: string): string[][] {
    const done: string[][] = [];
    let segmentStart = 0;
    for (let index = 0; index < chunk.length; index += 1) {
      const char = chunk.charCodeAt(index);
      if (this.afterCr) {
        this.afterCr = false;
        if (char === LF) {
          segmentStart = index + 1;
          continue;
        }
      }
      switch (this.state) {
        // biome-ignore lint/suspicious/noFallthroughSwitchClause: a field start that is no quote goes on as an unquoted field.
        case State.FieldStart:
          if (char === QUOTE) {
            this.state = State.Quoted;
            segmentStart = index + 1;
            break;
          }
          this.state = State.Unquoted;
          segmentStart = index;
        // falls through: the character starts an unquoted field
        case State.Unquoted:
          if (char === COMMA || char === LF || char === CR) {
            this.field += chunk.slice(segmentStart, index);
            this.endField(char, done);
            segmentStart = index + 1;
          }
          break;
        case State.Quoted:
          if (char === QUOTE) {
            this.field += chunk.slice(segmentStart, index);
            this.state = State.QuoteInQuoted;
          }
          break;
        case State.QuoteInQuoted:
          if (char === QUOTE) {
            this.field += '"';
            this.state = State.Quoted;
            segmentStart = index + 1;
          } else if (char === COMMA || char === LF || char === CR) {
            this.endField(char, done);
            segmentStart = index + 1;
          } else {
            this.state = State.Unquoted;
            segmentStart = index;
          }
          break;
      }
    }
    if (this.state === State.Unquoted || this.state === State.Quoted) this.field += chunk.slice(segmentStart);
    return done;
  }

  /** The last record when the text does not end with a line break. */
  end(): string[][] {
    if (this.state === State.FieldStart && this.record.length === 0) return [];
    this.record.push(this.field);
    const last = this.record;
    this.record = [];
    this.field = '';
    this.state = State.FieldStart;
    return [last];
  }

  private endField(delimiter: number, done: string[][]): void {
    this.record.push(this.field);
    this.field = '';
    this.state = State.FieldStart;
    if (delimiter === COMMA) return;
    done.push(this.record);
    this.record = [];
    this.afterCr = delimiter === CR;
  }
}

const COMMA = 0x2c;
const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;

/** Every record of the text, in order (blank lines included, so record numbers match spreadsheet rows). */
export async function* csvRecords(text: AsyncIterable<string>): AsyncGenerator<string[]> {
  const parser = new CsvParser();
  for await (const chunk of text) yield* parser.push(chunk);
  yield* parser.end();
}
