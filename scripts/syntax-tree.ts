// Print a file's syntax tree, for writing tags queries: bun scripts/syntax-tree.ts <lang> <file>
import { LANGUAGES, isLanguageId } from "../src/parser/languages.ts";
import { loadLanguage, newParser } from "../src/parser/runtime.ts";

const [lang, file] = process.argv.slice(2);
if (!lang || !file || !isLanguageId(lang)) {
  console.error(`usage: bun scripts/syntax-tree.ts <${Object.keys(LANGUAGES).join("|")}> <file>`);
  process.exit(2);
}
const parser = await newParser();
// Load the grammar without the query so a broken query does not stop us from seeing the tree.
const { Language } = await import("web-tree-sitter");
parser.setLanguage(await Language.load(await Bun.file(LANGUAGES[lang].wasm).bytes()));
void loadLanguage;
const tree = parser.parse(await Bun.file(file).text())!;
let depth = 0;
const out: string[] = [];
const cursor = tree.rootNode.walk();
for (;;) {
  const n = cursor.currentNode;
  if (n.isNamed) {
    const field = cursor.currentFieldName ? `${cursor.currentFieldName}: ` : "";
    const text = n.childCount === 0 ? `  ${JSON.stringify(n.text.slice(0, 40))}` : "";
    out.push(`${"  ".repeat(depth)}${field}(${n.type}) [${n.startPosition.row + 1}]${text}`);
  }
  if (cursor.gotoFirstChild()) {
    depth++;
    continue;
  }
  while (!cursor.gotoNextSibling()) {
    if (!cursor.gotoParent()) {
      console.log(out.join("\n"));
      process.exit(0);
    }
    depth--;
  }
}
