import CompDiagnostics
import Foundation
import PlanLanguage
import PlanModel
import PlanXML

/// The repository root.
let repositoryRoot: URL = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url
}()

/// Paths of every example plan (`Plans/examples/*.plan`), sorted.
func examplePlans() -> [String] {
    let directory = repositoryRoot.appendingPathComponent("Plans/examples").path
    let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
    return names.filter { $0.hasSuffix(".plan") }.sorted().map { directory + "/" + $0 }
}

/// The model's dump without source positions and file names (which differ between a .plan and
/// its .xml by design): what the engine computes with.
func meaning(_ plan: Plan) -> String {
    plan.dump.split(separator: "\n", omittingEmptySubsequences: false)
        .filter { !$0.drop { $0 == " " }.hasPrefix("file ") }
        .map { $0.replacing(#/ @\d+:\d+-\d+/#, with: "") }
        .joined(separator: "\n")
}

/// `file:line:col: message` of every error of an XML plan given as text.
func errors(_ xml: String, path: String = "plan.xml") -> [String] {
    XMLPlans.check(bytes: Array(xml.utf8), path: path).diagnostics.filter { $0.severity == .error }
        .map { "\($0.location): \($0.message)" }
}

/// A minimal valid plan with `body` after the header.
func planXML(_ body: String, header: String = "<header currency=\"USD\" period=\"month\"/>") -> String {
    """
    <?xml version="1.0" encoding="UTF-8"?>
    <plan id="X" name="Test">
      \(header)
    \(body)
    </plan>

    """
}
