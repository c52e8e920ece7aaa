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
                if (info.st_mode & S_IFMT) != S_IFDIR { return "\(terminalSafe(ancestor)) is a file, not a directory; give another path" }
                break
            }
            let parent = Self.directory(of: ancestor)
            if parent == ancestor { break }
            ancestor = parent
        }
        return "no directory \(terminalSafe(directory)); make it first"
    }

    /// The last component of `path` (all of it for a bare name).
    public static func name(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }
}

/// `path` as a shell reads it, quoted when it needs to be (`--out "de mo"` gave commands that
/// could not be pasted). A path holding a control character (a line feed, an escape, a
/// bidirectional override) is written in ANSI-C quotes, `$'r\nX.sqlite'`, with each such
/// character escaped: pasted into bash or zsh it names the same file, and printed it can neither
/// break the line it is on nor drive the terminal.
public func shellQuoted(_ path: String) -> String {
    if !path.isEmpty && path.allSatisfy({ $0.isLetter || $0.isNumber || "/._-+:@".contains($0) }) { return path }
    guard path.unicodeScalars.contains(where: isTerminalControl) else {
        var quoted = "'"
        for character in path { quoted += character == "'" ? "'\\''" : String(character) }
        return quoted + "'"
    }
    var quoted = "$'"
    for scalar in path.unicodeScalars {
        switch scalar {
        case "\n": quoted += "\\n"
        case "\t": quoted += "\\t"
        case "\r": quoted += "\\r"
        case "'": quoted += "\\'"
        case "\\": quoted += "\\\\"
        default:
            guard isTerminalControl(scalar) else {
                quoted.unicodeScalars.append(scalar)
                continue
            }
            let hex = String(scalar.value, radix: 16, uppercase: true)
            quoted += scalar.value < 0x80 ? "\\x" + (hex.count < 2 ? "0" : "") + hex : "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
        }
    }
    return quoted + "'"
}

/// Whether `scalar` is a control character that must not reach a terminal raw: C0 controls and
/// DEL, C1 controls (U+0080–U+009F), bidirectional formatting characters, and the Unicode line
/// and paragraph separators (`TerminalText` of CompDiagnostics escapes the same ones).
@inlinable
public func isTerminalControl(_ scalar: Unicode.Scalar) -> Bool {
    switch scalar.value {
    case 0..<0x20, 0x7F...0x9F: return true
    case 0x061C, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069, 0x2028, 0x2029: return true
    default: return false
    }
}

/// Whether every byte is printable ASCII (0x20 to 0x7E): text with no control, invisible or
/// non-ASCII character, which has nothing to escape or decode. Checked without stopping early,
/// which the compiler turns into vector code (walking a string's UTF-8 view byte by byte had
/// cost 13 % of a run refusing millions of rows, each message made printable).
@inlinable
public func isPrintableASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    var flagged: UInt8 = 0
    // 0x20...0x7E is 0...0x5E less 0x20; a byte below 0x20 wraps past it.
    for byte in bytes { flagged |= (byte &- 0x20) >= 0x5F ? 1 : 0 }
    return flagged == 0
}

/// `text` with every control character (``isTerminalControl(_:)``) written as an escape (`\t`,
/// `\n`, `\r`, `\u{1B}`), except line breaks and tabs when `keepingLineBreaks` (a whole report,
/// whose lines are its own). For untrusted text shown on a terminal: a file name, an id.
public func terminalSafe(_ text: String, keepingLineBreaks: Bool = false) -> String {
    // Most text has nothing to escape: no byte below 0x20, DEL, or outside ASCII.
    if text.utf8.withContiguousStorageIfAvailable(isPrintableASCII) ?? !text.utf8.contains(where: { $0 < 0x20 || $0 >= 0x7F }) {
        return text
    }
    let kept = { (scalar: Unicode.Scalar) in keepingLineBreaks && (scalar == "\n" || scalar == "\t") }
    guard text.unicodeScalars.contains(where: { isTerminalControl($0) && !kept($0) }) else { return text }
    var out = String.UnicodeScalarView()
    for scalar in text.unicodeScalars {
        if !isTerminalControl(scalar) || kept(scalar) {
            out.append(scalar)
            continue
        }
        let escape: String
        switch scalar {
        case "\t": escape = "\\t"
        case "\n": escape = "\\n"
        case "\r": escape = "\\r"
        default: escape = "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
        }
        out.append(contentsOf: escape.unicodeScalars)
    }
    return String(out)
}
