import CompCShims
import CompCore

/// One input file's identity for a run record: size and SHA-256 of its exact bytes.
public struct FileFingerprint: Sendable, Hashable {
    /// The path as given.
    public let path: String
    /// Size in bytes.
    public let bytes: Int
    /// SHA-256, 64 lower-case hex digits.
    public let sha256: String
    /// The file as it was hashed: a run compares it with the file its loader read.
    public let stamp: FileStamp
}

/// SHA-256 over whole files, with the x86 SHA extensions when the CPU has them (about 2 GB/s on
/// one core) and ``CompCore/SHA256`` otherwise. Both give the same digest (tested).
public enum Fingerprinter {
    /// True when the hardware path is used on this machine.
    public static let usesHardware: Bool = comp_sha256_hardware() != 0

    /// The fingerprint of the file at `path`. `stop`, checked between blocks of a megabyte, ends
    /// the hashing early with an error (a run that failed no longer needs it).
    public static func fingerprint(path: String, stop: () -> Bool = { false }) throws -> FileFingerprint {
        var progress = FingerprintProgress(paths: [path])
        guard let fingerprint = try progress.finish(stop: stop).first else {
            throw FingerprintError(path: path, reason: "it was not hashed")
        }
        return fingerprint
    }

    /// The SHA-256 of `bytes` through the same path (for tests and small inputs).
    public static func sha256(_ bytes: [UInt8]) -> String {
        var hash = StreamingSHA256()
        bytes.withUnsafeBytes { hash.update($0) }
        return hash.hexDigest()
    }
}

/// Why a file could not be fingerprinted.
public struct FingerprintError: Error, Sendable, CustomStringConvertible {
    public let path: String
    public let reason: String
    public var description: String { "cannot read \(terminalSafe(path)): \(reason)" }
}

/// Files being fingerprinted a block at a time, in order. A value: one thread can hash part of
/// the files and another finish them from a copy of where the first got to (``step()`` after
/// ``step()``, then ``finish(stop:)``), and the fingerprints are those of one pass.
public struct FingerprintProgress: Sendable {
    /// Bytes hashed by one ``step()``.
    public static let blockSize = 1 << 20
    /// The files, in the order they are hashed.
    public let paths: [String]
    /// Fingerprints of the files finished, in order.
    public private(set) var done: [FileFingerprint] = []
    /// The file being hashed (open once it is started), and how far.
    private var current: MappedFile? = nil
    private var offset = 0
    private var hash = StreamingSHA256()

    public init(paths: [String]) { self.paths = paths }

    /// True when every file is hashed.
    public var isFinished: Bool { done.count == paths.count }

    /// Hashes the next block of the current file (finishing it at its end), read with `pread`
    /// (``MappedFile/read(_:_:)``); false once every file is done. A file that cannot be opened,
    /// or that shrinks while it is read, is an error (and stays one: the step does not move past
    /// it).
    public mutating func step() throws(FingerprintError) -> Bool {
        guard done.count < paths.count else { return false }
        let path = paths[done.count]
        let file: MappedFile
        if let current {
            file = current
        } else {
            do {
                file = try MappedFile(path: path)
            } catch {
                throw FingerprintError(path: path, reason: error.reason)
            }
            current = file
            offset = 0
            hash = StreamingSHA256()
        }
        if offset < file.count {
            let count = min(Self.blockSize, file.count - offset)
            let read = file.read(offset..<offset + count) { hash.update($0) }
            offset += read
            // Short: the file was cut (its stamp says so), or, the file as it was, a read failed
            // (an I/O error). Either way what was read is not the file.
            if read < count {
                throw FingerprintError(path: path, reason: (file.readProblem ?? .unreadable).reason)
            }
        }
        if let problem = file.readProblem { throw FingerprintError(path: path, reason: problem.reason) }
        if offset >= file.count {
            var finished = hash
            done.append(FileFingerprint(path: path, bytes: file.count, sha256: finished.hexDigest(), stamp: file.stamp))
            current = nil
        }
        return done.count < paths.count
    }

    /// Hashes what is left; `stop`, checked between blocks, ends it with an error.
    public mutating func finish(stop: () -> Bool = { false }) throws(FingerprintError) -> [FileFingerprint] {
        while !isFinished {
            if stop() { throw FingerprintError(path: paths[done.count], reason: "hashing was stopped") }
            _ = try step()
        }
        return done
    }
}

/// SHA-256 with whole blocks compressed by the hardware path when available.
struct StreamingSHA256: Sendable {
    private var state: [UInt32] = [
        0x6a09_e667, 0xbb67_ae85, 0x3c6e_f372, 0xa54f_f53a, 0x510e_527f, 0x9b05_688c, 0x1f83_d9ab, 0x5be0_cd19,
    ]
    private var pending: [UInt8] = []
    private var length: UInt64 = 0
    private var software = SHA256()
    private let hardware = Fingerprinter.usesHardware

    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard hardware else {
            software.update(bytes)
            return
        }
        length &+= UInt64(bytes.count)
        guard let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
        var index = 0
        if !pending.isEmpty {
            let take = min(64 - pending.count, bytes.count)
            pending.append(contentsOf: UnsafeBufferPointer(start: base, count: take))
            index = take
            if pending.count == 64 {
                compress(pending, blocks: 1)
                pending.removeAll(keepingCapacity: true)
            }
        }
        let blocks = (bytes.count - index) / 64
        if blocks > 0 {
            state.withUnsafeMutableBufferPointer { state in
                if let state = state.baseAddress { comp_sha256_blocks_hardware(state, base + index, blocks) }
            }
            index += blocks * 64
        }
        if index < bytes.count { pending.append(contentsOf: UnsafeBufferPointer(start: base + index, count: bytes.count - index)) }
    }

    private mutating func compress(_ bytes: [UInt8], blocks: Int) {
        bytes.withUnsafeBufferPointer { data in
            state.withUnsafeMutableBufferPointer { state in
                if let state = state.baseAddress, let data = data.baseAddress { comp_sha256_blocks_hardware(state, data, blocks) }
            }
        }
    }

    mutating func hexDigest() -> String {
        guard hardware else { return software.hexDigest() }
        var tail = pending
        tail.append(0x80)
        while tail.count % 64 != 56 { tail.append(0) }
        let bits = length &* 8
        for shift in stride(from: 56, through: 0, by: -8) { tail.append(UInt8(truncatingIfNeeded: bits >> UInt64(shift))) }
        compress(tail, blocks: tail.count / 64)
        let hex = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for word in state {
            for shift in stride(from: 28, through: 0, by: -4) { out.append(hex[Int((word >> UInt32(shift)) & 15)]) }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
