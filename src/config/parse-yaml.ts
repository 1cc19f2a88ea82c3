/**
 * YAML text to one `Document`, as `parseDocument` does, with bounded cost on broken text.
 *
 * - Duplicate keys are not checked here (`uniqueKeys: false`): the parser's check compares each key
 *   with every earlier one, quadratic in the keys of a mapping; `checkYamlDocument` does it with a
 *   set.
 * - The parser turns each stray character of some broken texts into its own top-level item and its
 *   own error (a million `}` gave a million of each and took 17 s). Items beyond
 *   `MAX_TOP_LEVEL_ITEMS` are not read: the text is refused as a whole.
 * - Each error the parser creates captures a stack trace, which was two thirds of the time on
 *   texts with many errors; traces are turned off while it runs (synchronously, then restored).
 * - The parser's first pass can overflow the stack on some deeply nested text; that is reported,
 *   not thrown.
 */
import { Composer, Parser, YAMLParseError, type Document, type LineCounter } from 'yaml';

/**
 * Top-level items read at most: the document, and each comment, blank line and stray token outside
 * it (two per comment line before the first key). A config has a few dozen.
 */
export const MAX_TOP_LEVEL_ITEMS = 50_000;

/** The parsed document, or why the text cannot be parsed at all (a file-level problem). */
export type YamlParseResult = { readonly document: Document } | { readonly refused: string };

/** Parses YAML text into its first document; a second one is an error of the first (`MULTIPLE_DOCS`). */
export function parseYaml(text: string, lineCounter: LineCounter): YamlParseResult {
  const parser = new Parser(lineCounter.addNewLine);
  const composer = new Composer({ prettyErrors: false, merge: true, uniqueKeys: false });
  let items = 0;
  function* bounded<T>(tokens: Iterable<T>): Generator<T> {
    for (const token of tokens) {
      items += 1;
      if (items > MAX_TOP_LEVEL_ITEMS) return;
      yield token;
    }
  }

  const traceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  let document: Document | undefined;
  try {
    for (const composed of composer.compose(bounded(parser.parse(text)), true, text.length)) {
      if (document === undefined) {
        document = composed;
      } else {
        document.errors.push(new YAMLParseError([composed.range[0], composed.range[1]], 'MULTIPLE_DOCS', 'Source contains multiple documents'));
        break;
      }
    }
  } catch (error) {
    // Its message is not kept: it may quote the text.
    return { refused: error instanceof RangeError ? 'the YAML nests too deeply to be read' : `the YAML cannot be parsed (${error instanceof Error ? error.name : 'unknown error'})` };
  } finally {
    Error.stackTraceLimit = traceLimit;
  }
  // Counted by `bounded`, which stops the parse one piece past the limit.
  if (items > MAX_TOP_LEVEL_ITEMS) return { refused: `the YAML breaks into more than ${MAX_TOP_LEVEL_ITEMS} top-level pieces (comment lines before the first key, or stray characters the parser cannot place); a config is one YAML mapping` };
  if (document === undefined) return { refused: 'the YAML cannot be parsed' };
  return { document };
}
