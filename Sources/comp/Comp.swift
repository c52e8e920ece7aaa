import ArgumentParser
import CompCore
import CompDiagnostics
import Ledger

#if canImport(Glibc)
    @preconcurrency import Glibc
#endif

/// sysexits(3) codes used by every command.
enum Exit {
    /// Bad input data or plan (EX_DATAERR).
    static let dataError = ExitCode(65)
    /// Command-line usage error (EX_USAGE).
    static let usage = ExitCode(64)
    /// Internal failure (EX_SOFTWARE).
    static let software = ExitCode(70)
    /// Cannot create or write an output file (EX_CANTCREAT).
    static let cannotCreate = ExitCode(73)
}

/// Refuses an empty path: an unset shell variable (`--out "$OUT"`) had meant the file system's
/// root (`sample --out ""` wrote /roster.csv, `--data ""` read /transactions.csv).
func refuseEmptyPaths(_ options: [(name: String, value: String?)]) throws {
    for option in options where option.value?.isEmpty == true {
        throw ValidationError("\(option.name) is empty; give a path (is a shell variable unset?)")
    }
}

@main
struct Comp: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "comp",
        abstract: "A sales-compensation batch engine: exact money, explainable payouts.",
        discussion: """
            Exit status: 0 success, 64 usage error, 65 bad input data, 70 internal error, \
            73 cannot write output.
            """,
        version: "0.1.0",
        subcommands: [
            Demo.self, Run.self, Export.self, Explain.self, Graph.self, Check.self, Fmt.self, Import.self, ExportPlan.self, Validate.self,
            Sample.self,
        ]
    )

    /// `comp` alone: the help, on standard error, as a usage error (it had exited 0, as if a
    /// command had run).
    func run() throws {
        printError(Self.helpMessage(), trusted: true)
        throw Exit.usage
    }

    static func main() {
        // argv[0] is always there: an empty command line means the runtime could not read it (on
        // Linux it reads /proc/self/cmdline). Parsing nothing printed the help and exited 0, as
        // if the run asked for had been made.
        if CommandLine.arguments.isEmpty {
            printError("comp: cannot read the command line (is /proc mounted?); nothing was run")
            Glibc.exit(Exit.software.rawValue)
        }
        // A file-size limit (`ulimit -f`) makes a write past it fail (EFBIG), said like a full
        // disk with exit 73, instead of the signal that killed the process without a word
        // (exit 153), leaving a half-written staging database behind.
        signal(SIGXFSZ, SIG_IGN)
        // Standard output that could not be written (a full disk, a closed file) fails the command
        // with 73, whichever command wrote it: `comp import x.xml > x.plan` on a full disk had
        // exited 0 with the plan lost.
        atexit {
            guard fflush(stdout) != 0 || ferror(stdout) != 0 else { return }
            var bytes = Array("comp: cannot write to standard output: \(String(cString: strerror(errno)))\n".utf8)
            _ = fwrite(&bytes, 1, bytes.count, stderr)
            _exit(Exit.cannotCreate.rawValue)
        }
        // ArgumentParser's own `main`, with its messages written as every other message is: an
        // option's value is echoed in them (`--period`, `--threads`, `export <what>`), and a
        // control character in it drove the terminal.
        do {
            var command = try parseAsRoot(nil)
            try command.run()
        } catch {
            let code = exitCode(for: error)
            let text = fullMessage(for: error)
            if !text.isEmpty {
                // Help and the version go to standard output; errors to standard error.
                if code == .success { print(text) } else { printError(text) }
            }
            Glibc.exit(code.rawValue)
        }
    }
}

/// Refuses a run id that no run can have (runs are numbered from 1): said as a usage error, as
/// `--run -1` and `--run=-1` both are (the first had been read as a missing value).
func refuseImpossibleRunID(_ id: Int64?) throws {
    if let id, id < 1 {
        throw ValidationError("--run \(id) is not a run id; runs are numbered from 1 (the runs table of the database lists them)")
    }
}

/// Writes a report to standard output (every `print` of this module): untrusted text in it (a
/// rep's id, a plan's name, a file name) has its control characters written as escapes, so it
/// cannot drive the terminal or forge a line (``TerminalText``). Data (a CSV, a plan's text) is
/// written with ``writeStandardOutput(_:)`` instead, byte for byte.
func print(_ items: Any..., separator: String = " ", terminator: String = "\n") {
    let text = items.map { String(describing: $0) }.joined(separator: separator) + terminator
    writeStandardOutput(TerminalText.safe(text, lineBreaks: true))
}

/// Writes `text` to standard output as it is (a failure is found at exit: see ``Comp/main()``).
func writeStandardOutput(_ text: String) {
    var bytes = Array(text.utf8)
    _ = fwrite(&bytes, 1, bytes.count, stdout)
}

/// Writes to standard error, with control characters written as escapes; `trusted` text (a
/// rendered diagnostic with its own colors, the progress line) is written as it is.
func printError(_ text: String, newline: Bool = true, trusted: Bool = false) {
    var text = trusted ? text : TerminalText.safe(text, lineBreaks: true)
    if newline && !text.hasSuffix("\n") { text += "\n" }
    // fwrite, not fputs: a NUL in a message must not end it.
    var bytes = Array(text.utf8)
    _ = fwrite(&bytes, 1, bytes.count, stderr)
}

/// True when standard error is a terminal (colors, progress).
var stderrIsTerminal: Bool { isatty(STDERR_FILENO) != 0 }
