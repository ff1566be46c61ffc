// The one module an embedder imports: `import Casework` brings the public API of every layer
// (ARCHITECTURE.md, "Module graph", says why the layers are re-exported rather than imported one by one).
@_exported import CaseworkTime
@_exported import CaseworkDiagnostics
@_exported import CaseworkExpressions
@_exported import CaseworkDefinitions
@_exported import CaseworkStore
@_exported import CaseworkEngine
