// Prints the method and constructor calls of every method in the given Java files as javac resolves them:
// "callerPath:line\tcalleePath:line" (paths relative to ROOT). Run: java Oracle.java ROOT MODULE FILES...
import com.sun.source.tree.*;
import com.sun.source.util.*;
import javax.lang.model.element.*;
import javax.tools.*;
import java.nio.file.*;
import java.util.*;

public class Oracle {
  public static void main(String[] args) throws Exception {
    Path root = Paths.get(args[0]);
    String module = args[1];
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    StandardJavaFileManager fm = javac.getStandardFileManager(null, null, null);
    List<Path> files = new ArrayList<>();
    for (int i = 2; i < args.length; i++) files.add(Paths.get(args[i]));
    List<String> opts = List.of("--patch-module", module + "=" + root.resolve(module), "-proc:none", "-Xlint:none", "-nowarn", "-XDshould-stop.ifError=FLOW", "-Xmaxerrs", "0");
    JavacTask task = (JavacTask) javac.getTask(null, fm, d -> {}, opts, null, fm.getJavaFileObjectsFromPaths(files));
    Iterable<? extends CompilationUnitTree> units = task.parse();
    task.analyze();
    Trees trees = Trees.instance(task);
    SourcePositions pos = trees.getSourcePositions();
    TreeSet<String> out = new TreeSet<>();
    for (CompilationUnitTree unit : units) {
      String from = root.relativize(Paths.get(unit.getSourceFile().toUri())).toString();
      new TreePathScanner<Void, MethodTree>() {
        @Override public Void visitMethod(MethodTree m, MethodTree owner) { return super.visitMethod(m, m); }
        @Override public Void visitClass(ClassTree c, MethodTree owner) { return super.visitClass(c, null); }
        // `new T(...)` invokes the constructor javac picks (an implicit default one has no source: no pair).
        @Override public Void visitNewClass(NewClassTree call, MethodTree owner) {
          record(owner);
          return super.visitNewClass(call, owner);
        }
        @Override public Void visitMethodInvocation(MethodInvocationTree call, MethodTree owner) {
          record(owner);
          return super.visitMethodInvocation(call, owner);
        }
        private void record(MethodTree owner) {
          if (owner != null) {
            Element e = trees.getElement(getCurrentPath());
            if (e instanceof ExecutableElement) {
              TreePath decl = trees.getPath(e);
              if (decl != null) {
                CompilationUnitTree du = decl.getCompilationUnit();
                String to = root.relativize(Paths.get(du.getSourceFile().toUri())).toString();
                long toLine = du.getLineMap().getLineNumber(pos.getStartPosition(du, decl.getLeaf()));
                MethodTree dm = (MethodTree) decl.getLeaf();
                long fromLine = unit.getLineMap().getLineNumber(pos.getStartPosition(unit, owner));
                out.add(from + ":" + fromLine + "\t" + to + ":" + toLine + "\t" + dm.getName());
              }
            }
          }
        }
      }.scan(unit, null);
    }
    for (String l : out) System.out.println(l);
  }
}
