import Foundation

/// `paths` with each directory replaced by its files whose names end in one of `suffixes`
/// (compared in lower case), in byte order of their names, as `comp run --plans DIR` takes a
/// directory (not its subdirectories); a file is kept as given. A directory with no such file is
/// an error for the caller to say (in `empty`), not an empty list checked without a word.
func expandingDirectories(_ paths: [String], suffixes: [String]) -> (files: [String], empty: [String]) {
    var files: [String] = []
    var empty: [String] = []
    for path in paths {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
            files.append(path)
            continue
        }
        let prefix = path.hasSuffix("/") ? path : path + "/"
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [])
            .filter { name in suffixes.contains { name.lowercased().hasSuffix($0) } }
            .filter { name in
                var nested: ObjCBool = false
                return FileManager.default.fileExists(atPath: prefix + name, isDirectory: &nested) && !nested.boolValue
            }
            .sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        if names.isEmpty { empty.append(path) }
        files += names.map { prefix + $0 }
    }
    return (files, empty)
}
