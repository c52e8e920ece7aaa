import ArgumentParser
import CompCore
import CompDiagnostics
import Foundation
import PlanLanguage
import PlanXML

struct Fmt: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Rewrite plan files in the canonical layout.",
        discussion: """
            Formatting is idempotent. With --check nothing is written: files that are not canonical are \
            listed and the exit status is 65. Files with syntax errors are reported and left alone (exit 65).
            """)

    @Argument(help: "Plan or library files, or directories of them.")
    var files: [String]

    @Flag(name: .long, help: "Only check that the files are canonical.")
    var check = false

    func validate() throws { try refuseEmptyPaths(files.map { ("a plan file", $0) }) }

    func run() throws {
        var failed = false
        // A file that could not be written (read-only) is 73, as for every output; bad input wins.
        var unwritable = false
        // A directory is its plan-language files (its XML plans are not formatted here).
        let (files, empty) = expandingDirectories(self.files, suffixes: [".plan"])
        for directory in empty {
            printError("\(terminalSafe(directory)): error: no .plan files in this directory; give a plan file or a directory of them")
            failed = true
        }
        for file in files {
            if XMLPlans.isXML(file) {
                printError("\(terminalSafe(file)): error: comp fmt formats plan-language files; an XML plan is canonical as comp export-plan writes it")
                failed = true
                continue
            }
            // Bounded, and only a regular file: /dev/zero had been read without end.
            guard let data = BoundedFile.read(file, limit: PlanLimits.maxFileBytes) else {
                printError("\(terminalSafe(file)): error: cannot read the file: \(BoundedFile.problem(file))")
                failed = true
                continue
            }
            if data.count > PlanLimits.maxFileBytes {
                printError("\(terminalSafe(file)): error: the file is larger than the \(PlanLimits.maxFileBytes / 1024) KiB limit for plan files")
                failed = true
                continue
            }
            // A data file named by mistake: one error saying so, as `comp check` says it.
            if let refused = PlanChecker.refuseDataFile(path: file, bytes: data) {
                printError(refused.rendered(colors: stderrIsTerminal), trusted: true)
                failed = true
                continue
            }
            let source = SourceFile(path: file, bytes: data)
            let result = PlanFormatter.format(source)
            guard let text = result.text else {
                printError(result.rendered(colors: stderrIsTerminal), trusted: true)
                failed = true
                continue
            }
            if Array(text.utf8) == source.bytes { continue }
            if check {
                printError("\(terminalSafe(file)): not canonically formatted (run comp fmt \(shellQuoted(file)))")
                failed = true
            } else if FilePaths.isReadOnly(file) {
                // A read-only file is left as it is (it had been replaced, its mode kept).
                printError("\(terminalSafe(file)): error: the file is read-only; not formatted (make it writable first)")
                unwritable = true
            } else {
                // Through a temporary file renamed into place: a link's target is rewritten (not
                // the link replaced by a file), and the file keeps its mode.
                try writeOutput(text, to: file)
            }
        }
        if failed { throw Exit.dataError }
        if unwritable { throw Exit.cannotCreate }
    }
}
