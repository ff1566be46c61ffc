// libFuzzer target: `casework decide --batch`'s line reader on the shipped definitions and portal policy. The
// input is fed in two blocks, split where its first byte says, so that lines cross a block's end as they do in a
// long batch.
import CaseworkCommandLine
import CaseworkEngine
import Foundation
import FuzzSupport

@_cdecl("LLVMFuzzerTestOneInput")
func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let input = UnsafeBufferPointer(start: data, count: size)
    let split = size == 0 ? 0 : Int(input[0]) % (size + 1)
    var batch = DecideBatch.Batch(reader: Shipped.reader)
    batch.feed(input[0..<split])
    _ = batch.take()
    batch.feed(input[split..<size])
    batch.finish()
    _ = batch.take()
    return 0
}

// What every input shares is made first, then libFuzzer's driver runs (`runFuzzer`, Fuzz/Support).
_ = Shipped.reader
runFuzzer(fuzz)
