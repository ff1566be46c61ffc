// libFuzzer target: a definition cache's archive, the hand-written binary reader a warm command reads its checked
// definitions with (`DefinitionArchive.read`, then one workflow's region with `readWorkflow`). An entry's bytes are
// hashed before they are read, so this reaches the reader as an entry written by another hand would. The seeds
// (Fuzz/corpus/definition-archive) are archives the cache wrote, of the shipped set and of a one-workflow set, each
// followed by one workflow's region. Each input is held to `DefinitionArchiveCheck`, shared with FuzzRegressionTests.
import CaseworkTestSupport
import FuzzSupport

@_cdecl("LLVMFuzzerTestOneInput")
func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    checkInput(data, size, DefinitionArchiveCheck.check)
}

runFuzzer(fuzz)
