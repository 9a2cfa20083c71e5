// Parses Mermaid diagrams with Mermaid's own parser, as GitHub and GitLab do before drawing.
// stdin: a JSON array of diagram sources. stdout: a JSON array, one {"type", "error"} per
// source, in order: the diagram type Mermaid detected, or null and the parser's message.
import { JSDOM } from "jsdom";

// Mermaid sanitises labels with DOMPurify, which needs a window when the module loads: a
// bare DOM from jsdom is enough, so the window is set up before Mermaid is imported.
const dom = new JSDOM("<!doctype html><html><body></body></html>");
globalThis.window = dom.window;
globalThis.document = dom.window.document;
const { default: mermaid } = await import("mermaid");

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const sources = JSON.parse(Buffer.concat(chunks).toString("utf8"));

const results = [];
for (const source of sources) {
  try {
    const parsed = await mermaid.parse(source);
    results.push({ type: parsed.diagramType, error: null });
  } catch (error) {
    results.push({ type: null, error: String(error?.message ?? error) });
  }
}
process.stdout.write(JSON.stringify(results));
