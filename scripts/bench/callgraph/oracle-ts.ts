// Prints the calls made by every function and method of a TypeScript tree as the TypeScript
// checker resolves them: "callerPath:line\tcalleePath:line" (paths relative to the tree, lines of
// the names). Used by bench:callgraph to label call pairs: bun oracle-ts.ts ROOT [js]
// With `js`, the tree's .js files instead, checked as TypeScript checks JavaScript (allowJs,
// checkJs: CommonJS `require` and `module.exports`, classes, JSDoc types).
import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import ts from "typescript";

const root = process.argv[2]!;
const js = process.argv[3] === "js";
const files: string[] = [];
const walk = (dir: string) => {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (js ? p.endsWith(".js") : p.endsWith(".ts") && !p.endsWith(".d.ts")) files.push(p);
  }
};
walk(root);
const program = ts.createProgram(files, { target: ts.ScriptTarget.ES2020, module: ts.ModuleKind.CommonJS, strict: true, noEmit: true, skipLibCheck: true, allowJs: js, checkJs: js });
const checker = program.getTypeChecker();

const lineOf = (node: ts.Node) => node.getSourceFile().getLineAndCharacterOfPosition(node.getStart()).line + 1;

/** The declaration that owns code at `node`, as the index names symbols: a function, method, constructor, or a top-level const holding a function. */
function ownerOf(node: ts.Node): ts.Node | null {
  for (let n: ts.Node | undefined = node.parent; n; n = n.parent) {
    if (ts.isFunctionDeclaration(n) || ts.isMethodDeclaration(n) || ts.isConstructorDeclaration(n)) return n;
    if (ts.isVariableDeclaration(n) && n.initializer && (ts.isArrowFunction(n.initializer) || ts.isFunctionExpression(n.initializer)) && ts.isSourceFile(n.parent.parent.parent)) return n;
  }
  return null;
}

const nameLine = (decl: ts.Node) => {
  const name = (decl as { name?: ts.Node }).name;
  return lineOf(name ?? decl);
};

/**
 * An overload signature's implementation (the declaration with a body, where the index has the
 * function); any other declaration as it is (an interface's method signature has no body anywhere).
 */
function implementationOf(decl: ts.SignatureDeclaration | ts.JSDocSignature | undefined): ts.SignatureDeclaration | ts.JSDocSignature | undefined {
  if (!decl || ts.isJSDocSignature(decl) || !(ts.isFunctionDeclaration(decl) || ts.isMethodDeclaration(decl)) || decl.body) return decl;
  const declarations = (decl as unknown as { symbol?: ts.Symbol }).symbol?.declarations ?? [];
  return (declarations.find((d) => (ts.isFunctionDeclaration(d) || ts.isMethodDeclaration(d)) && d.body) as ts.SignatureDeclaration | undefined) ?? decl;
}

const out = new Set<string>();
for (const sf of program.getSourceFiles()) {
  if (!files.includes(sf.fileName)) continue;
  const visit = (node: ts.Node) => {
    // A tagged template (`` _`x = ${y}` ``) calls its tag function, as the checker resolves it too.
    if (ts.isCallExpression(node) || ts.isNewExpression(node) || ts.isTaggedTemplateExpression(node)) {
      const owner = ownerOf(node);
      const decl = owner ? implementationOf(checker.getResolvedSignature(node)?.declaration) : undefined;
      if (owner && decl && !ts.isJSDocSignature(decl)) {
        const target = decl.getSourceFile().fileName;
        if (files.includes(target) && (ts.isFunctionDeclaration(decl) || ts.isMethodDeclaration(decl) || ts.isMethodSignature(decl) || ts.isConstructorDeclaration(decl) || ts.isArrowFunction(decl) || ts.isFunctionExpression(decl))) {
          // A function expression or arrow is named by the const that holds it.
          const named = ts.isArrowFunction(decl) || ts.isFunctionExpression(decl) ? decl.parent : decl;
          if (!ts.isConstructorDeclaration(decl) && (ts.isVariableDeclaration(named) || !ts.isArrowFunction(decl))) {
            out.add(`${relative(root, sf.fileName)}:${nameLine(owner)}\t${relative(root, target)}:${nameLine(named)}`);
          }
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
}
for (const l of [...out].sort()) console.log(l);
