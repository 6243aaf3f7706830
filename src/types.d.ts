// Asset imports embedded into the compiled binary.
declare module "*.wasm" { const path: string; export default path; }
declare module "*.scm" { const text: string; export default text; }
declare module "*.md" { const text: string; export default text; }
