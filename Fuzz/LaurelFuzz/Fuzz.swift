import LaurelTesting

/// The bytes become a rule file and a history (``EngineFuzzing``); a trap
/// is a crash libFuzzer reports, a broken invariant is turned into one.
/// Built and run by `Scripts/fuzz.sh` only.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
  guard let data else { return 0 }
  let failures = EngineFuzzing.run(Array(UnsafeBufferPointer(start: data, count: size)))
  if !failures.isEmpty { fatalError("invariant broken: \(failures)") }
  return 0
}

/// libFuzzer's driver (its own `main` is not linked: SwiftPM points `main` at
/// this executable's entry point below).
@_silgen_name("LLVMFuzzerRunDriver")
func runDriver(
  _ argc: UnsafeMutablePointer<Int32>,
  _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
  _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
) -> Int32

@_cdecl("laurel_fuzz_main")
public func fuzzMain(
  _ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
) -> Int32 {
  var argc = argc
  var argv = argv
  return runDriver(&argc, &argv) { data, size in fuzzOneInput(data, size) }
}
