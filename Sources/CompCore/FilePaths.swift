/// Path arithmetic on strings, without Foundation (whose `deletingLastPathComponent` trapped on a
/// one-character name: `comp run --db Z` crashed).
public enum FilePaths {
    /// The directory part of `path`: `.` for a bare name, `/` for a name at the root.
    public static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// The last component of `path` (all of it for a bare name).
    public static func name(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }
}
