import ArgumentParser
import CompCore
import CompDiagnostics
import PlanLanguage
import PlanXML
import Runner

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check plan files (.plan or .xml): syntax, names, types, tables.",
        discussion: """
            Reports every error and warning in the swiftc layout (file:line:col, the source line, a caret, \
            hints) on standard error. XML plans are validated against the plan schema first. Exits 0 when every file checks (warnings allowed), 65 otherwise.
            """)

    @Argument(help: "Plan or library files, XML plans (.xml), or directories of them.")
    var files: [String]

    @Option(name: .long, help: "Override a parameter for a what-if run: --param name=value (repeatable).")
    var param: [String] = []

    @Flag(name: .long, help: "Print the checked plan model.")
    var dump = false

    func validate() throws {
        try refuseEmptyPaths(files.map { ("a plan file", $0) })
        if files.isEmpty { throw ValidationError("give at least one plan file") }
        _ = try parameterOverrides(param)
    }

    func run() throws {
        let overrides = try parameterOverrides(param)
        var failed = false
        // A directory is its plan files, as `comp run --plans DIR` reads it.
        let (files, empty) = expandingDirectories(self.files, suffixes: [".plan", ".xml"])
        for directory in empty {
            printError("\(terminalSafe(directory)): error: no plan files in this directory (.plan or .xml); give a plan file or a directory of them")
            failed = true
        }
        func check(_ file: String, _ overrides: [String: String]) -> PlanCheckResult {
            XMLPlans.isXML(file) ? XMLPlans.check(path: file, overrides: overrides) : PlanChecker.check(path: file, overrides: overrides)
        }
        // As `comp run` takes them: a parameter is overridden in the files that declare it.
        var filesByID: [String: [String]] = [:]
        var resolvedByID: [String: Set<String>] = [:]
        for (file, result) in zip(files, PlanChecker.checkRun(files, overrides: overrides, check: check)) {
            if !result.diagnostics.isEmpty { printError(result.rendered(colors: stderrIsTerminal), trusted: true) }
            if result.hasErrors { failed = true }
            if dump, let plan = result.plan { print(plan.dump, terminator: "") }
            // One file named twice (`a.plan ./a.plan`) is one plan, as a run takes it.
            if let plan = result.plan, resolvedByID[plan.id, default: []].insert(Runner.resolvedPlanPath(file)).inserted {
                filesByID[plan.id, default: []].append(file)
            }
        }
        // Files checked together are a run's plans: one id twice is refused there, so here too.
        for problem in Runner.repeatedPlanIDs(filesByID) {
            printError("error: " + problem)
            failed = true
        }
        if failed { throw Exit.dataError }
    }
}
