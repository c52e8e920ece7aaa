import ArgumentParser
import CompCore
import CompDiagnostics
import Foundation
import PlanLanguage
import PlanXML

struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Convert an XML plan to the plan language.",
        discussion: """
            The XML is validated against the plan schema (Plans/schema/plan.xsd) and checked like a .plan \
            file; the plan is written formatted as comp fmt would write it, to --out (its <use> paths \
            rewritten relative to that file) or to standard output (<use> paths left as the XML \
            wrote them, relative to the XML file). Exits 65 when the XML is \
            not a valid plan (every error is listed).
            """)

    @Argument(help: "The XML plan.")
    var file: String

    @Option(name: .long, help: "Write the plan to this file instead of standard output.")
    var out: String?

    func validate() throws { try refuseEmptyPaths([("the XML plan", file), ("--out", out)]) }

    func run() throws {
        // Bounded, and only a regular file (the checker refuses one past the limit).
        guard let data = BoundedFile.read(file, limit: XMLPlans.limits.maxBytes) else {
            printError("\(terminalSafe(file)): error: cannot read the file: \(BoundedFile.problem(file))")
            throw Exit.dataError
        }
        if let word = planLanguageStart(data) {
            // A plan file given where XML is read: libxml2's "Start tag expected" said nothing useful.
            printError(
                "\(terminalSafe(file)): error: this is not XML but a plan file in the plan language (its first declaration is '\(word)'); "
                    + "`comp check` and `comp run` read it as it is, and `comp export-plan \(shellQuoted(file)) --out FILE.xml` writes it as XML")
            throw Exit.dataError
        }
        let (text, result) = XMLPlans.planText(bytes: data, path: file, outputPath: out)
        if !result.diagnostics.isEmpty { printError(result.rendered(colors: stderrIsTerminal), trusted: true) }
        guard let text else { throw Exit.dataError }
        guard let out else {
            writeStandardOutput(text)
            return
        }
        try writeOutput(text, to: out, inputs: [file] + result.sources.map(\.path))
    }
}

struct ExportPlan: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export-plan",
        abstract: "Write a plan file as XML that validates against the plan schema.",
        discussion: """
            The plan is checked first (exit 65 with its errors). The XML is canonical: importing it and \
            exporting again gives the same bytes. Comments are not carried over; <use> paths are rewritten \
            relative to the XML file.
            """)

    @Argument(help: "The plan file (.plan).")
    var file: String

    @Option(name: .long, help: "The XML file to write (- for standard output).")
    var out: String

    func validate() throws { try refuseEmptyPaths([("the plan file", file), ("--out", out)]) }

    /// Whether `file` starts as XML does (after a byte order mark and white space): an XML plan
    /// given where a plan file is read.
    func startsAsXML() -> Bool {
        guard let data = BoundedFile.read(file, limit: 1 << 20) else { return false }
        return PlanChecker.xmlStart(data) != nil
    }

    func run() throws {
        // To standard output, `use` paths stay relative to the plan file (relative to "-" they had
        // been made relative to the working directory, and broke once the XML was saved elsewhere).
        let exported = XMLPlans.export(path: file, outputPath: out == "-" ? nil : out)
        // Only a file that failed is read again, to see whether it is XML: the plan parser's
        // "expected 'plan' or 'library', found '<'" said nothing useful.
        if exported.xml == nil && startsAsXML() {
            printError(
                "\(terminalSafe(file)): error: this is XML (it starts with '<'), not a plan file; if it is an XML plan, `comp import \(shellQuoted(file))` "
                    + "converts it to the plan language, and `comp check` and `comp run` read it as it is")
            throw Exit.dataError
        }
        if !exported.result.diagnostics.isEmpty { printError(exported.result.rendered(colors: stderrIsTerminal), trusted: true) }
        guard let xml = exported.xml else { throw Exit.dataError }
        // XML is wordier than the plan language: a plan near the size limit can export to more
        // than `comp import` reads back.
        let size = xml.utf8.count
        if size > XMLPlans.limits.maxBytes {
            printError(
                "\(terminalSafe(file)): error: the plan exports to \(size) bytes of XML, and XML plans may be at most \(XMLPlans.limits.maxBytes) bytes; split it into files joined with `use`")
            throw Exit.dataError
        }
        let problems = XMLPlans.validate(bytes: Array(xml.utf8), path: out)
        if !problems.isEmpty {
            printError(DiagnosticRenderer().render(problems, sources: [out: SourceFile(path: out, text: xml)]))
            printError("comp: internal error: the exported XML does not validate")
            throw Exit.software
        }
        try writeOutput(xml, to: out, inputs: [file] + exported.result.sources.map(\.path))
    }
}

/// Whether `byte` is a space, a tab or a line break.
private func isBlank(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }

/// `data` without a UTF-8 byte order mark and the white space after it.
func meaningfulStart(_ data: [UInt8]) -> ArraySlice<UInt8> {
    let body = data.starts(with: [0xEF, 0xBB, 0xBF]) ? data.dropFirst(3) : data[...]
    return body.drop(while: isBlank)
}

/// The word a file in the plan language starts with (`plan`, `library` or `use`, after blank
/// lines and `#` comments), when `data` starts so; nil otherwise.
func planLanguageStart(_ data: [UInt8]) -> String? {
    var rest = meaningfulStart(data)
    // Comment lines and blank lines before the first declaration.
    while rest.first == UInt8(ascii: "#") {
        guard let end = rest.firstIndex(of: 0x0A) else { return nil }
        rest = rest[(end + 1)...].drop(while: isBlank)
    }
    let word = String(decoding: rest.prefix { $0 >= 0x61 && $0 <= 0x7A }, as: UTF8.self)
    guard ["plan", "library", "use"].contains(word) else { return nil }
    // The word alone, followed by a space or a quote (`planning` is no plan).
    let after = rest.dropFirst(word.utf8.count).first
    return after == 0x20 || after == 0x09 || after == UInt8(ascii: "\"") ? word : nil
}
