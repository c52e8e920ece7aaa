import Foundation
import Testing

@testable import Store

/// Output files staged piece by piece: nothing under the target's name until committed, nothing
/// at all after a discard, and where the system has unnamed files, no name at all until finished.
@Suite struct StagedOutputWriting {
    func directory() throws -> String {
        let path = NSTemporaryDirectory() + "comp-staged-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    func entries(_ directory: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
    }

    @Test func piecesBecomeTheFileOnlyWhenCommitted() throws {
        let folder = try directory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let target = folder + "/payouts.csv"
        try Data("old\n".utf8).write(to: URL(fileURLWithPath: target))
        #expect(chmod(target, 0o600) == 0)
        let writer = try StagedOutput.Writer(for: target)
        try writer.write(Array("rep,amount\n".utf8))
        try writer.write(Array("R1,1.00\n".utf8))
        // While written: the old file is whole, and the new one has no name (or a temporary one
        // where the file system has no unnamed files).
        let during = try entries(folder)
        if writer.isUnnamed {
            #expect(during == ["payouts.csv"])
        } else {
            #expect(during.count == 2 && during[1].hasPrefix("payouts.csv.tmp-"))
        }
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "old\n")
        let staged = try writer.finish()
        // Finished (the run's evaluation is over, SQLite still storing it): still no name, where
        // the system has unnamed files.
        let finished = try entries(folder)
        if writer.isUnnamed || finished.count == 1 {
            #expect(finished == ["payouts.csv"])
        } else {
            #expect(finished.count == 2 && finished[1].hasPrefix("payouts.csv.tmp-\(getpid())-"))
        }
        try staged.commit()
        #expect(try entries(folder) == ["payouts.csv"])
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "rep,amount\nR1,1.00\n")
        // The file it replaced was 0600; so is the new one.
        #expect((try FileManager.default.attributesOfItem(atPath: target)[.posixPermissions] as? Int) == 0o600)
    }

    @Test func aDiscardedWriterLeavesNothing() throws {
        let folder = try directory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let writer = try StagedOutput.Writer(for: folder + "/m.csv")
        try writer.write(Array("x\n".utf8))
        writer.discard()
        #expect(try entries(folder).isEmpty)
        // Finished, then discarded (the run failed after its exports were staged).
        let finished = try StagedOutput.Writer(for: folder + "/m.csv")
        try finished.write(Array("y\n".utf8))
        let staged = try finished.finish()
        let copy = staged
        staged.discard()
        #expect(try entries(folder).isEmpty)
        #expect(throws: StoreError.self) { try finished.write([1]) }
        // A copy of a discarded output cannot be committed (its file is gone, never half-named).
        #expect(throws: StoreError.self) { try copy.commit() }
        #expect(try entries(folder).isEmpty)
        // An unnamed file committed where nothing is: named in one step.
        let fresh = try StagedOutput.Writer(for: folder + "/new.csv")
        try fresh.write(Array("z\n".utf8))
        try fresh.finish().commit()
        #expect(try entries(folder) == ["new.csv"])
        #expect(try String(contentsOfFile: folder + "/new.csv", encoding: .utf8) == "z\n")
    }

    /// A device is written in place at commit, never before (and never renamed over).
    @Test func aDeviceIsWrittenOnlyAtCommit() throws {
        let writer = try StagedOutput.Writer(for: "/dev/null")
        try writer.write(Array("x\n".utf8))
        let staged = try writer.finish()
        #expect(staged.target.inPlace)
        try staged.commit()
    }
}

@Suite struct OutputSameFile {
    /// Two spellings of one file not made yet, one through a linked directory: the same file (an
    /// export named so replaced the database the run had just made).
    @Test func aNewFileReachedThroughALinkedDirectoryIsTheSameFile() throws {
        let folder = NSTemporaryDirectory() + "comp-same-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder + "/d", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.createSymbolicLink(atPath: folder + "/dl", withDestinationPath: "d")
        #expect(OutputTarget.sameFile(folder + "/dl/new.db", folder + "/d/new.db"))
        #expect(OutputTarget.sameFile(folder + "/dl/../d/new.db", folder + "/d/./new.db"))
        #expect(!OutputTarget.sameFile(folder + "/dl/new.db", folder + "/d/other.db"))
        // Existing files are compared by inode.
        try Data("x".utf8).write(to: URL(fileURLWithPath: folder + "/d/old.db"))
        #expect(OutputTarget.sameFile(folder + "/dl/old.db", folder + "/d/old.db"))
    }
}
