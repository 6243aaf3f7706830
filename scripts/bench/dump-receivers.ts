import { LANGUAGES, isLanguageId } from "../../src/parser/languages.ts";
import { parseText } from "../../src/parser/parse-file.ts";
const [lang, file] = process.argv.slice(2);
const x = await parseText(lang as any, await Bun.file(file!).text());
for (const s of x.symbols) console.log(`${s.kind} ${s.container ?? ""}.${s.name} :${s.typeRef ?? ""} | ${s.signature}`);
for (const r of x.refs) if (r.kind !== "type") console.log(`  ${r.kind} ${r.name} @${r.line} from ${r.enclosing === null ? "-" : x.symbols[r.enclosing]!.name} recv=${r.receiver}`);
for (const r of x.relations) console.log(`  rel ${r.type} < ${r.base}`);
