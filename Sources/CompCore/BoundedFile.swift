#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads small files (plans, libraries, XML plans) safely: only regular files, and never more
/// than a limit. A device such as /dev/zero never ends, a FIFO blocks until someone writes, and a
/// huge file read whole before its size was checked took its size in memory.
public enum BoundedFile {
    /// The first `limit + 1` bytes at most of the regular file at `path` (more than `limit` means
    /// too large: the caller says so), or nil when it cannot be read or is not a regular file.
    public static func read(_ path: String, limit: Int) -> [UInt8]? {
        // Non-blocking, so that opening a FIFO with no writer does not wait for one.
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        // Read to the end or past the limit, whatever the size said (a file may grow, and some
        // report a size of 0).
        let wanted = limit + 1
        var bytes = [UInt8](repeating: 0, count: min(Int(info.st_size), limit) + 1)
        var filled = 0
        while filled < wanted {
            if filled == bytes.count { bytes += [UInt8](repeating: 0, count: min(max(bytes.count, 4096), wanted - bytes.count)) }
            let got = bytes.withUnsafeMutableBytes { buffer in
                #if canImport(Glibc)
                    Glibc.read(descriptor, buffer.baseAddress.map { $0 + filled }, buffer.count - filled)
                #else
                    Darwin.read(descriptor, buffer.baseAddress.map { $0 + filled }, buffer.count - filled)
                #endif
            }
            if got < 0 {
                if errno == EINTR { continue }
                return nil
            }
            if got == 0 { break }
            filled += got
        }
        bytes.removeSubrange(filled...)
        return bytes
    }

    /// Why the file at `path` cannot be read, in a few words ("no such file", "a directory, not a
    /// file", …), for messages.
    public static func problem(_ path: String) -> String {
        var info = stat()
        guard stat(path, &info) == 0 else {
            let code = errno
            if code == ENOENT { return "no such file" }
            if code == EACCES { return "permission denied" }
            return String(cString: strerror(code))
        }
        switch info.st_mode & S_IFMT {
        case S_IFREG: return access(path, R_OK) == 0 ? "it could not be read" : "permission denied"
        case S_IFDIR: return "a directory, not a file"
        default: return "not a regular file (a device, pipe or socket)"
        }
    }
}
