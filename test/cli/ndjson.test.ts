import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { readLines, readNdjson } from "../../src/cli/ndjson.js";

async function lines(chunks: (string | Buffer)[]): Promise<string[]> {
  const out: string[] = [];
  for await (const batch of readLines(Readable.from(chunks))) out.push(...batch);
  return out;
}

describe("readLines", () => {
  it("splits on \\n, \\r\\n and a lone \\r, also across chunk boundaries", async () => {
    expect(await lines(["a\nb\r\nc\rd", "\ne"])).toEqual(["a", "b", "c", "d", "e"]);
    // a \r\n split between two chunks is one break
    expect(await lines(["a\r", "\nb\n"])).toEqual(["a", "b"]);
    expect(await lines(["a\n\n", "\nb"])).toEqual(["a", "", "", "b"]);
    expect(await lines([""])).toEqual([]);
  });

  it("decodes UTF-8 characters split between chunks", async () => {
    const bytes = Buffer.from('{"name":"Zoë 🛒"}\n{"name":"é"}\n');
    // every split point, so some fall inside a multi-byte character
    for (let cut = 1; cut < bytes.length; cut++) {
      expect(await lines([bytes.subarray(0, cut), bytes.subarray(cut)])).toEqual([
        '{"name":"Zoë 🛒"}',
        '{"name":"é"}',
      ]);
    }
  });

  it("numbers lines the way an editor does, blank ones included", async () => {
    const out = [];
    for await (const entry of readNdjson(Readable.from(['{"a":1}\n\n{bad\r\n{"b":2}']))) out.push(entry);
    expect(out).toEqual([
      { line: 1, value: { a: 1 } },
      { line: 3, error: expect.stringContaining("not valid JSON") },
      { line: 4, value: { b: 2 } },
    ]);
  });
});
