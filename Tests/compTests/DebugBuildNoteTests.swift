import Runner
import Testing

/// The README's first command builds for debugging; a long run of that build says how to get the
/// optimized one, and nothing else does.
@Suite struct DebugBuildNote {
    @Test func aLongRunOfADebugBuildSaysHowToBuildForRelease() {
        #expect(
            Runner.debugBuildNote(runSeconds: 12.34, debugBuild: true)
                == "note: this comp is a debug build, and the run took 12.3 s; `swift build -c release` builds "
                + "`.build/release/comp`, about ten times as fast on a large ledger, with the same results")
        // From 10 s on: exactly 10 s is long, just under it is not.
        #expect(Runner.debugBuildNote(runSeconds: 10, debugBuild: true) != nil)
        #expect(Runner.debugBuildNote(runSeconds: 9.99, debugBuild: true) == nil)
        // A release build never says it, however long the run.
        #expect(Runner.debugBuildNote(runSeconds: 600, debugBuild: false) == nil)
    }
}
