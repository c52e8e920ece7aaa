import CompCShims
import CompCore

#if canImport(Glibc)
    @preconcurrency import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Heap storage for one column, written in parallel while loading and immutable afterwards.
///
/// Invariant that makes `@unchecked Sendable` sound: during loading, each worker writes only its
/// own disjoint row range; after the loader returns, nothing writes again.
@usableFromInline
final class ColumnStorage<Element: BitwiseCopyable>: @unchecked Sendable {
    @usableFromInline let pointer: UnsafeMutablePointer<Element>
    @usableFromInline let capacity: Int
    /// Set while the column is filled, then only read. Unchecked exclusivity: a read of a class's
    /// `var` was checked at run time (a call per element read in every engine loop), and nothing
    /// reads it while it is written.
    @usableFromInline @exclusivity(unchecked) var count: Int

    init(capacity: Int) {
        self.capacity = max(capacity, 1)
        // Allocation only reserves address space; pages become resident when written. No
        // transparent huge pages (`MADV_HUGEPAGE`): in this VM a huge page comes from memory the
        // host has taken back, and faulting it in ran at 0.5 GB/s against 2.6 for small pages
        // (a 10M-transaction run took 0.2-1.6 s longer after a pause; `Benchmarks/README.md`).
        self.pointer = UnsafeMutablePointer<Element>.allocate(capacity: self.capacity)
        self.count = 0
    }

    deinit { pointer.deallocate() }

    /// Maps fresh pages for `rows` in one call before they are written (``populatePages(_:forWriting:)``).
    func populate(rows: Range<Int>) {
        let rows = rows.clamped(to: 0..<capacity)
        guard !rows.isEmpty else { return }
        populatePages(UnsafeRawBufferPointer(start: pointer + rows.lowerBound, count: rows.count * MemoryLayout<Element>.stride))
    }
}

/// A read-only column of fixed-width values (dates, rep indexes, amounts in millionths).
@frozen
public struct Column<Element: BitwiseCopyable & Sendable>: RandomAccessCollection, Sendable {
    @usableFromInline let storage: ColumnStorage<Element>

    @usableFromInline
    init(_ storage: ColumnStorage<Element>) { self.storage = storage }

    /// A column holding `values`.
    public init(_ values: [Element]) {
        let storage = ColumnStorage<Element>(capacity: values.count)
        for (index, value) in values.enumerated() { (storage.pointer + index).initialize(to: value) }
        storage.count = values.count
        self.storage = storage
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { storage.count }

    @inlinable
    public subscript(position: Int) -> Element {
        precondition(position >= 0 && position < storage.count, "column index out of range")
        return storage.pointer[position]
    }

    /// Calls `body` with the column's contiguous values (the fast path for engine loops).
    @inlinable
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Element>) throws -> R) rethrows -> R {
        try body(UnsafeBufferPointer(start: storage.pointer, count: storage.count))
    }
}

/// A regular file's bytes, memory-mapped (anything else is refused: see ``OpenError``).
///
/// Owns the mapping and unmaps it in `deinit`. Never leaves the `Ledger` module. The mapping is
/// guarded (`comp_guard_mapping`): if another process truncates the file while it is read, the
/// pages past its new end read as zeros instead of ending the process with SIGBUS, and
/// ``readProblem`` says so; whoever read it then refuses what it read.
///
/// The scan reads records in place through the mapping and gives back what it is done with
/// (``release(upTo:from:)``), so a pass over a large file keeps little of it resident. Passes
/// that only look at the bytes (counting lines, hashing) copy them instead, a block at a time,
/// into a buffer that stays in the core's cache (``read(_:_:)``): cheaper than mapping and
/// unmapping every page (a whole-file buffer had cost 0.33-0.38 CPU-s of page faults per pass).
final class MappedFile: @unchecked Sendable {
    let path: String
    let base: UnsafePointer<UInt8>?
    let count: Int
    /// The file as it was opened.
    let stamp: FileStamp
    /// The mapping's guard slot, -1 when unguarded.
    private let guardSlot: Int32
    /// Open while the file is mapped, to see whether it changed (``readProblem``).
    private let descriptor: Int32

    enum OpenError: Error {
        case cannotOpen(String, Int32)
        case cannotRead(String, Int32)
        /// A directory, device, pipe or socket: a device such as /dev/zero never ends, and a pipe
        /// with no writer never answers.
        case notARegularFile(String)

        /// The system's words for the failure.
        var reason: String {
            switch self {
            case .cannotOpen(_, let code), .cannotRead(_, let code): return systemErrorMessage(code)
            case .notARegularFile: return "not a regular file (a directory, device or pipe); give a file"
            }
        }
    }

    init(path: String) throws(OpenError) {
        self.path = path
        // Non-blocking, so that opening a pipe with no writer does not wait for one.
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        if descriptor < 0 { throw .cannotOpen(path, errno) }
        var info = stat()
        if fstat(descriptor, &info) != 0 {
            let code = errno
            close(descriptor)
            throw .cannotRead(path, code)
        }
        let isRegular = (info.st_mode & S_IFMT) == S_IFREG
        if isRegular {
            let size = Int(info.st_size)
            stamp = FileStamp(info)
            self.descriptor = descriptor
            if size == 0 {
                base = nil
                count = 0
                guardSlot = -1
                return
            }
            guard let address = mmap(nil, size, PROT_READ, MAP_PRIVATE, descriptor, 0), address != MAP_FAILED else {
                let code = errno
                close(descriptor)
                throw .cannotRead(path, code)
            }
            _ = madvise(address, size, MADV_SEQUENTIAL)
            base = UnsafePointer(address.assumingMemoryBound(to: UInt8.self))
            count = size
            guardSlot = comp_guard_mapping(address, size)
        } else {
            close(descriptor)
            throw .notARegularFile(path)
        }
    }

    static let pageSize = max(4096, Int(sysconf(Int32(_SC_PAGESIZE))))

    /// Why what was read of the file is not the file, once its reader is done: it changed (a
    /// read found it shorter, reading zeros past its new end; or its size or modification time
    /// differ: a cut within its last page reads zeros without a fault, a rewrite in place reads a
    /// mix of two versions), or a page of it could not be read (an I/O error reads as zeros too).
    /// `nil` when it was read as it is.
    var readProblem: ReadProblem? {
        var info = stat()
        guard fstat(descriptor, &info) == 0, FileStamp(info) == stamp else { return .changed }
        return guardSlot >= 0 && comp_guard_faults(guardSlot) > 0 ? .unreadable : nil
    }

    /// The file's bytes in `range`, read through the mapping a block at a time, each block given
    /// back (``release(upTo:from:)``) once `body` has seen it.
    func forEachBlock(in range: Range<Int>, _ body: (UnsafeRawBufferPointer) -> Void) {
        guard let base, !range.isEmpty else { return }
        let block = 4 << 20
        var offset = range.lowerBound
        while offset < range.upperBound {
            let end = min(offset + block, range.upperBound)
            populate(offset..<end)
            body(UnsafeRawBufferPointer(start: base + offset, count: end - offset))
            // The page the block starts in too (it may hold the end of the block before).
            release(upTo: end, from: offset & ~(Self.pageSize - 1))
            offset = end
        }
    }

    /// Maps the pages of `range` in one call before they are read (``populatePages(_:forWriting:)``):
    /// a fault per 64 KB had cost a trap each. The page `range` starts in is included.
    func populate(_ range: Range<Int>) {
        guard let base, !range.isEmpty else { return }
        let first = range.lowerBound / Self.pageSize * Self.pageSize
        let last = min(count, range.upperBound)
        guard last > first else { return }
        populatePages(UnsafeRawBufferPointer(start: base + first, count: last - first), forWriting: false)
    }

    /// Tells the kernel the bytes before `offset` are no longer needed, so a long scan does not keep
    /// the whole file resident. Safe: the mapping is read-only and re-faults from the page cache.
    func release(upTo offset: Int, from start: Int) {
        guard let base else { return }
        let page = Self.pageSize
        let first = (start + page - 1) / page * page
        let last = offset / page * page
        if last > first {
            _ = madvise(UnsafeMutableRawPointer(mutating: base + first), last - first, MADV_DONTNEED)
        }
    }

    /// Reads the bytes of `range` with `pread`, a block at a time into a buffer that stays in the
    /// core's cache, and hands each block to `body`; returns how many bytes were read (fewer than
    /// asked when a read fails or the file ends early: an I/O error, a file cut meanwhile).
    ///
    /// For passes that only look at the bytes (counting lines, hashing): mapping each page of
    /// the file, then giving it back, cost more than copying it (0.17 against 0.12 CPU-s to count
    /// the lines of a 651 MB ledger on two threads).
    func read(_ range: Range<Int>, _ body: (UnsafeRawBufferPointer) -> Void) -> Int {
        let range = range.clamped(to: 0..<count)
        guard !range.isEmpty else { return 0 }
        let block = 256 << 10
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: block, alignment: Self.pageSize)
        defer { buffer.deallocate() }
        var offset = range.lowerBound
        while offset < range.upperBound {
            let read = pread(descriptor, buffer, min(block, range.upperBound - offset), off_t(offset))
            if read < 0 && errno == EINTR { continue }
            guard read > 0 else { break }
            body(UnsafeRawBufferPointer(start: buffer, count: read))
            offset += read
        }
        return offset - range.lowerBound
    }

    /// Newlines in `start..<end`, read with ``read(_:_:)``. What a read could not get is counted
    /// through the mapping, whose reader then sees what went wrong (``readProblem``).
    func countNewlines(from start: Int, to end: Int) -> Int {
        let end = min(end, self.count)
        guard start < end else { return 0 }
        var count = 0
        func add(_ block: UnsafeRawBufferPointer) {
            guard let bytes = block.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
            count += comp_count_byte(bytes, block.count, UInt8(ascii: "\n"))
        }
        let read = read(start..<end, add)
        if start + read < end { forEachBlock(in: (start + read)..<end, add) }
        return count
    }

    deinit {
        close(descriptor)
        guard let base else { return }
        comp_unguard_mapping(guardSlot)
        munmap(UnsafeMutableRawPointer(mutating: base), count)
    }
}

/// Why a file's bytes as read are not the file's (``MappedFile/readProblem``).
enum ReadProblem: Sendable {
    case changed, unreadable

    /// In words, with what to do.
    var reason: String {
        switch self {
        case .changed: return "the file changed while it was read (is another program writing it?); run again once it is complete"
        case .unreadable: return "part of the file could not be read (an I/O error on its disk or network share); check the file and run again"
        }
    }
}

/// What identifies a file's content as it was opened: device, inode, size and modification time.
/// Two reads of a file with the same stamp read the same bytes (short of a writer that restores
/// the time it found).
public struct FileStamp: Sendable, Hashable {
    let device: UInt64
    let inode: UInt64
    /// Size in bytes.
    public let size: Int
    let modifiedSeconds: Int
    let modifiedNanoseconds: Int

    init(_ info: stat) {
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
        size = Int(info.st_size)
        modifiedSeconds = Int(info.st_mtim.tv_sec)
        modifiedNanoseconds = Int(info.st_mtim.tv_nsec)
    }
}

/// `strerror` as a Swift string.
func systemErrorMessage(_ code: Int32) -> String {
    guard let text = strerror(code) else { return "error \(code)" }
    return String(cString: text)
}
