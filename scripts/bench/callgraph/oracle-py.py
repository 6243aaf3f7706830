"""Prints the calls made by every function under one directory of a Python tree, as jedi resolves
them: "callerPath:line<TAB>calleePath:line" (paths relative to the tree). Used by bench:callgraph
to label call pairs; run with Debian's python3-jedi."""
import ast
import os
import sys

import jedi

root, sample = sys.argv[1], sys.argv[2]
project = jedi.Project(root, smart_sys_path=False, added_sys_path=[root])


def callee_position(call):
    f = call.func
    if isinstance(f, ast.Name):
        return f.lineno, f.col_offset
    if isinstance(f, ast.Attribute) and f.end_lineno is not None:
        return f.end_lineno, f.end_col_offset - len(f.attr)
    return None


def functions(tree):
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield node


def own_calls(fn):
    """Calls in fn's body, not in the functions or classes nested in it."""
    stack = list(fn.body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            continue
        if isinstance(node, ast.Call):
            yield node
        stack.extend(ast.iter_child_nodes(node))


for dirpath, _, files in sorted(os.walk(os.path.join(root, sample))):
    for name in sorted(files):
        if not name.endswith(".py"):
            continue
        path = os.path.join(dirpath, name)
        rel = os.path.relpath(path, root)
        with open(path, encoding="utf-8") as fh:
            source = fh.read()
        for fn in functions(ast.parse(source)):
            # A Script per function: jedi's inference budget (its execution recursion limits) is
            # per Script, and one Script for a whole file ran out of it half way through a long
            # module, after which calls it resolves on their own came back unresolved.
            script = jedi.Script(source, path=path, project=project)
            for call in own_calls(fn):
                pos = callee_position(call)
                if not pos:
                    continue
                try:
                    defs = script.goto(pos[0], pos[1], follow_imports=True)
                except Exception:
                    continue
                for d in defs:
                    if d.type != "function" or d.module_path is None or d.line is None:
                        continue
                    target = os.path.relpath(str(d.module_path), root)
                    if target.startswith(".."):
                        continue
                    print(f"{rel}:{fn.lineno}\t{target}:{d.line}")
