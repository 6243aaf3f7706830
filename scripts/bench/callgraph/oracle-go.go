// Prints, for every function in one package, the functions and methods it calls as go/types sees
// them: "callerFile:callerLine\tcalleeFile:calleeLine" (paths relative to GOROOT/src).
package main

import (
	"fmt"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

func main() {
	root, dir := os.Args[1], os.Args[2]
	fset := token.NewFileSet()
	pkgs, err := parser.ParseDir(fset, filepath.Join(root, dir), func(fi os.FileInfo) bool { return !strings.HasSuffix(fi.Name(), "_test.go") }, 0)
	if err != nil {
		panic(err)
	}
	for _, pkg := range pkgs {
		var files []*ast.File
		for _, f := range pkg.Files {
			files = append(files, f)
		}
		info := &types.Info{Uses: map[*ast.Ident]types.Object{}, Selections: map[*ast.SelectorExpr]*types.Selection{}}
		conf := types.Config{Importer: importer.ForCompiler(fset, "source", nil), Error: func(error) {}}
		conf.Check(dir, fset, files, info)
		var out []string
		for _, f := range files {
			for _, d := range f.Decls {
				fd, ok := d.(*ast.FuncDecl)
				if !ok || fd.Body == nil {
					continue
				}
				from := fset.Position(fd.Name.Pos())
				ast.Inspect(fd.Body, func(n ast.Node) bool {
					call, ok := n.(*ast.CallExpr)
					if !ok {
						return true
					}
					var id *ast.Ident
					switch fn := call.Fun.(type) {
					case *ast.Ident:
						id = fn
					case *ast.SelectorExpr:
						id = fn.Sel
					default:
						return true
					}
					obj := info.Uses[id]
					fobj, ok := obj.(*types.Func)
					if !ok || !fobj.Pos().IsValid() {
						return true
					}
					to := fset.Position(fobj.Pos())
					rel := func(p string) string { r, _ := filepath.Rel(root, p); return r }
					out = append(out, fmt.Sprintf("%s:%d\t%s:%d\t%s", rel(from.Filename), from.Line, rel(to.Filename), to.Line, fobj.FullName()))
					return true
				})
			}
		}
		sort.Strings(out)
		for _, l := range out {
			fmt.Println(l)
		}
	}
}
