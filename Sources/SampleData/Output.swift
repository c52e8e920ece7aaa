#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A file being written, with a buffer for small records and direct writes for large blocks.
/// Every failure is a ``SampleDataError/cannotWrite(path:reason:)`` naming the file.
final class OutputFile {
    let path: String
    private var handle: UnsafeMutablePointer<FILE>?
    private let buffer: UnsafeMutablePointer<UInt8>
    private let capacity = 1 << 20
    private var used = 0
    /// Bytes written so far (buffered ones included).
    private(set) var bytesWritten = 0

    init(path: String) throws(SampleDataError) {
        self.path = path
        guard let handle = fopen(path, "wb") else { throw .cannotWrite(path: path, reason: Self.systemError()) }
        self.handle = handle
        buffer = .allocate(capacity: capacity)
    }

    deinit {
        if let handle { fclose(handle) }
        buffer.deallocate()
    }

    /// Appends one record of at most `maxBytes` bytes, written by `body`.
    func record(maxBytes: Int, _ body: (inout ByteWriter) -> Void) throws(SampleDataError) {
        precondition(maxBytes <= capacity)
        if used + maxBytes > capacity { try flush() }
        var writer = ByteWriter(base: buffer + used)
        body(&writer)
        used += writer.count
        bytesWritten += writer.count
    }

    /// Appends `count` bytes from `start` (written straight through after the buffered records).
    func write(_ start: UnsafeRawPointer, count: Int) throws(SampleDataError) {
        try flush()
        guard count > 0 else { return }
        try writeThrough(start, count).get()
        bytesWritten += count
    }

    /// Writes what is buffered and closes the file.
    func close() throws(SampleDataError) {
        try flush()
        guard let handle else { return }
        self.handle = nil
        if fclose(handle) != 0 { throw .cannotWrite(path: path, reason: Self.systemError()) }
    }

    private func flush() throws(SampleDataError) {
        guard used > 0 else { return }
        try writeThrough(UnsafeRawPointer(buffer), used).get()
        used = 0
    }

    private func writeThrough(_ start: UnsafeRawPointer, _ count: Int) -> Result<Void, SampleDataError> {
        guard let handle else { return .failure(.cannotWrite(path: path, reason: "file already closed")) }
        if fwrite(start, 1, count, handle) != count {
            return .failure(.cannotWrite(path: path, reason: Self.systemError()))
        }
        return .success(())
    }

    static func systemError() -> String { String(cString: strerror(errno)) }
}
