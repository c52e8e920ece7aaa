#if canImport(Glibc)
    import Glibc
#endif

/// Path arithmetic on strings, without Foundation (whose `deletingLastPathComponent` trapped on a
/// one-character name: `comp run --db Z` crashed).
public enum FilePaths {
    /// True for a path that names a regular file (links followed): not a directory, device or pipe.
    public static func isRegularFile(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
    }

    /// True for a file no one may write (mode 0444, links followed: a file locked once final).
    /// Its mode, not `access`, which says yes to root: comp's outputs leave it as it is all the same.
    public static func isReadOnly(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && info.st_mode & 0o222 == 0
    }

    /// The directory part of `path`: `.` for a bare name, `/` for a name at the root.
    public static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// Why `directory`, which is not there, cannot be written into, with what to do: "no
    /// directory D; make it first", or, where a file stands on the path (`r.sqlite/out/p.csv`),
    /// that it is a file, which making directories cannot get past.
    public static func missingDirectory(_ directory: String) -> String {
        var ancestor = directory
        while true {
            var info = stat()
            if stat(ancestor, &info) == 0 {
                if (info.st_mode & S_IFMT) != S_IFDIR { return "\(ancestor) is a file, not a directory; give another path" }
                break
            }
            let parent = Self.directory(of: ancestor)
            if parent == ancestor { break }
            ancestor = parent
        }
        return "no directory \(directory); make it first"
    }

    /// The last component of `path` (all of it for a bare name).
    public static func name(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }
}

/// `path` as a shell reads it, quoted when it needs to be (`--out "de mo"` gave commands that
/// could not be pasted).
public func shellQuoted(_ path: String) -> String {
    if !path.isEmpty && path.allSatisfy({ $0.isLetter || $0.isNumber || "/._-+:@".contains($0) }) { return path }
    var quoted = "'"
    for character in path { quoted += character == "'" ? "'\\''" : String(character) }
    return quoted + "'"
}
