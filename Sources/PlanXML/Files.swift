#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Files and paths without Foundation: this module imports libxml2, whose headers include the
/// system's ICU, and Foundation brings its own ICU module; one module importing both fails to
/// build (clang finds two different definitions of ICU's types).
enum FileBytes {
    /// The components of `path` made absolute (from the current directory) with `.` and `..`
    /// resolved, the first being `/` (as `URL.pathComponents` gives them).
    static func components(_ path: String) -> [String] {
        var parts: [String] = []
        if !path.hasPrefix("/") { parts = currentDirectory().split(separator: "/").map(String.init) }
        for part in path.split(separator: "/") {
            if part == "." { continue }
            if part == ".." {
                if !parts.isEmpty { parts.removeLast() }
            } else {
                parts.append(String(part))
            }
        }
        return ["/"] + parts
    }

    static func currentDirectory() -> String {
        guard let buffer = getcwd(nil, 0) else { return "/" }
        defer { free(buffer) }
        return String(cString: buffer)
    }
}
