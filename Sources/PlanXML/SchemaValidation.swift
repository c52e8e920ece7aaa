internal import CLibXML2
import CompDiagnostics

/// One problem libxml2's schema validator reported: its line and its message.
struct SchemaProblem: Sendable, Hashable {
    /// 1-based line of the element.
    var line: Int
    /// libxml2's message (trimmed).
    var message: String
}

/// Collects libxml2's structured errors (the validator calls back once per problem).
private final class ProblemCollector {
    var problems: [SchemaProblem] = []
}

enum SchemaValidation {
    /// Validates `document` against the compiled-in schema and returns every problem. The schema
    /// is parsed from memory (it imports and includes nothing, so nothing is read or fetched);
    /// every schema handle is freed before returning.
    static func validate(
        _ document: xmlDocPtr, fail: (Int, DiagnosticID, String) -> XMLReadError
    ) throws(XMLReadError) -> [SchemaProblem] {
        let collector = ProblemCollector()
        let handler: xmlStructuredErrorFunc = { userData, error in
            guard let userData, let error else { return }
            let collector = Unmanaged<ProblemCollector>.fromOpaque(userData).takeUnretainedValue()
            let message = error.pointee.message.map { String(cString: $0) } ?? "invalid"
            // A document of thousands of wrong elements has thousands of problems: a check lists a
            // hundred, so the first thousand are plenty (all of them had taken 40 s to say).
            guard collector.problems.count < 1_000 else { return }
            collector.problems.append(SchemaProblem(line: Int(error.pointee.line), message: message.trimmingCharacters()))
        }
        let schemaProblems = ProblemCollector()
        let result: Result<[SchemaProblem], XMLReadError> = withExtendedLifetime((collector, schemaProblems)) {
            let user = Unmanaged.passUnretained(collector).toOpaque()
            let schemaUser = Unmanaged.passUnretained(schemaProblems).toOpaque()
            let bytes = Array(PlanSchema.text.utf8)
            return bytes.withUnsafeBufferPointer { buffer in
                buffer.withMemoryRebound(to: CChar.self) { chars -> Result<[SchemaProblem], XMLReadError> in
                    guard let parser = xmlSchemaNewMemParserCtxt(chars.baseAddress, Int32(chars.count)) else {
                        return .failure(fail(0, "xml.internal", "libxml2 could not read the plan schema"))
                    }
                    defer { xmlSchemaFreeParserCtxt(parser) }
                    xmlSchemaSetParserStructuredErrors(parser, handler, schemaUser)
                    guard let schema = xmlSchemaParse(parser) else {
                        let detail = schemaProblems.problems.first.map { ": line \($0.line): \($0.message)" } ?? ""
                        return .failure(fail(0, "xml.internal", "the compiled-in plan schema does not load\(detail)"))
                    }
                    defer { xmlSchemaFree(schema) }
                    guard let validator = xmlSchemaNewValidCtxt(schema) else {
                        return .failure(fail(0, "xml.internal", "libxml2 could not create a schema validator"))
                    }
                    defer { xmlSchemaFreeValidCtxt(validator) }
                    xmlSchemaSetValidStructuredErrors(validator, handler, user)
                    let status = xmlSchemaValidateDoc(validator, document)
                    if status < 0 {
                        return .failure(fail(0, "xml.internal", "libxml2 could not validate the document"))
                    }
                    if status > 0 && collector.problems.isEmpty {
                        return .success([SchemaProblem(line: 0, message: "the document does not follow the plan schema")])
                    }
                    return .success(collector.problems)
                }
            }
        }
        return try result.get()
    }
}
