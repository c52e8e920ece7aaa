import CompCShims
import CompCore
import Foundation
import GRDB
import GRDBSQLite
import RunResults

/// A storage failure, with the SQLite error (code, message and the SQL that failed) kept.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    /// What was being done.
    public let operation: String
    /// The underlying error's description.
    public let underlying: String

    /// The error a run's producer threw, when the failure was not SQLite's (see
    /// ``ResultStore/record(_:inputs:produce:)``).
    public let cause: (any Error)?
    /// True when the file is damaged (SQLite found corrupt pages or no database, or comp cannot
    /// read back what it stored): bad input to restore or replace, not an internal error.
    public let damaged: Bool

    /// `operation` and `underlying` are one line each: a control character in them (a line feed
    /// in a file's name) is escaped (``terminalSafe(_:keepingLineBreaks:)``), so the message can
    /// neither forge a line nor drive the terminal it is shown on.
    public init(operation: String, underlying: String, cause: (any Error)? = nil, damaged: Bool = false) {
        self.operation = terminalSafe(operation)
        self.underlying = terminalSafe(underlying)
        self.cause = cause
        self.damaged = damaged
    }

    public var description: String { "\(operation): \(underlying)" }
}

/// The results database: runs, their inputs, payouts, measures, traces, rejects and the
/// reconciliation, in SQLite through GRDB.
///
/// A run is written in one transaction ([`record(_:output:)`](x-source-tag://record)): a failed or
/// killed run leaves the database as it was. Money is stored as INTEGER millionths, never REAL.
public final class ResultStore {
    /// Seconds a command waits for a database another process holds.
    static let busyWait: TimeInterval = 15
    private let queue: DatabaseQueue
    /// For a database this process makes (``init(creating:)``): the hidden file it is written to,
    /// and where it goes once ``persist()`` is called.
    private let staging: (file: String, destination: String, directory: String, replacingEmpty: Bool)?
    /// The staging files' slots in ``InterruptCleanup`` (removed if the process is interrupted).
    private var interruptSlots: [Int] = []

    /// Opens the results database at `path`, which must exist (readers such as `comp export`
    /// and `comp explain` must not leave an empty database behind a mistyped path).
    public convenience init(existing path: String) throws(StoreError) {
        guard try Self.vet(path) else {
            throw StoreError(operation: "opening \(path)", underlying: "no results database there; `comp run --db \(shellQuoted(path))` makes one")
        }
        try self.init(path: path)
    }

    /// The start of the hidden name a new database named `name` is written under, before
    /// ``persist()`` links it in: `.NAME.partial-HOST@`, then the process and a random number.
    /// The name is cut to 100 bytes: the staging name adds the host and process to it, and a valid
    /// name near the file system's limit had been refused. The host is in the name, ended by '@'
    /// (never in a host name): a directory shared with other machines (NFS) holds files of
    /// processes this one cannot see, and only this host's are looked at.
    static func stagingPrefix(of name: String) -> String {
        var name = name
        while name.utf8.count > 100 { name.removeLast() }
        return "." + name + stagingMarker
    }

    /// What follows the name in a staging name of this host (``removeAbandoned(in:now:)`` finds
    /// them by it).
    static var stagingMarker: String { ".partial-" + hostName + "@" }

    /// The most bytes the process id (up to 10 digits), a `-` and the random number (8 hex digits)
    /// add to ``stagingPrefix(of:)``.
    static let stagingSuffixBytes = 10 + 1 + 8

    /// The longest full path SQLite opens a database by, in bytes (its Unix layer's
    /// `MAX_PATHNAME`, less the terminating NUL).
    static let longestFullPath = 511

    /// What is wrong with `path` as the path of a database SQLite is to open, if something is:
    /// its full path (from the root, through links in its directory) longer than SQLite takes.
    /// Such a path had failed with SQLite's "unable to open database file".
    public static func pathLengthProblem(_ path: String) -> String? {
        let folder = FilePaths.directory(of: path)
        let name = FilePaths.name(of: path)
        guard let resolved = realpath(folder, nil) else { return nil }
        defer { free(resolved) }
        let directory = String(cString: resolved)
        let full = (directory + "/" + name).utf8.count
        // A new database is first written under a hidden name beside it (``init(creating:)``).
        var info = stat()
        let staged = stat(path, &info) == 0 ? 0 : directory.utf8.count + 1 + stagingPrefix(of: name).utf8.count + stagingSuffixBytes
        guard max(full, staged) > longestFullPath else { return nil }
        let length = full > longestFullPath ? "its full path is \(full) bytes long" : "its full path with the hidden name a new database is first written under is \(staged) bytes long"
        return "\(length), and SQLite opens a database by a path of at most \(longestFullPath) bytes; use a shorter directory or file name"
    }

    /// A file that is part of a results database.
    public struct DatabaseFile: Sendable, Equatable {
        /// What the file is.
        public enum Kind: Sendable, Equatable {
            case database, journal, writeAheadLog, sharedMemory
        }
        public let kind: Kind
        public let path: String

        /// What the file is, in words ("the results database's journal").
        public var what: String {
            switch kind {
            case .database: return "the results database"
            case .journal: return "the results database's journal"
            case .writeAheadLog: return "the results database's write-ahead log"
            case .sharedMemory: return "the results database's shared memory"
            }
        }
    }

    /// The files that make up the database at `path`: the file, and the journal, write-ahead log
    /// and shared memory SQLite keeps beside it, named after `path` and, when `path` is a
    /// symbolic link, after the file it leads to (SQLite follows the link: its journal is beside
    /// the target).
    public static func files(of path: String) -> [DatabaseFile] {
        var bases = [path]
        if let real = realpath(path, nil) {
            let resolved = String(cString: real)
            free(real)
            if resolved != path { bases.append(resolved) }
        }
        return bases.flatMap { base in
            [
                DatabaseFile(kind: .database, path: base), DatabaseFile(kind: .journal, path: base + "-journal"),
                DatabaseFile(kind: .writeAheadLog, path: base + "-wal"), DatabaseFile(kind: .sharedMemory, path: base + "-shm"),
            ]
        }
    }

    /// Removes the database at `path` and the files SQLite keeps beside it (journal, write-ahead
    /// log, shared memory).
    public static func removeFiles(at path: String) {
        for suffix in ["", "-journal", "-wal", "-shm"] { unlink(path + suffix) }
    }

    /// Looks at what is at `path` before SQLite touches it: true for a comp results database,
    /// false when nothing or an empty file is there (a database can be made), and an error for
    /// anything else: a directory or device (SQLite would put its journal beside /dev/null),
    /// a file that is not SQLite, or another program's database (comp's tables would be added
    /// to it). With `checkingIntegrity` (a run about to write into it), a database SQLite's
    /// `quick_check` finds damaged is refused too: written into, it had taken the run and said
    /// nothing, and an export of an earlier run then failed on a malformed statement. The check
    /// reads the whole file (about 0.1 s for a run of 10M transactions, in the page cache).
    public static func vet(_ path: String, checkingIntegrity: Bool = false) throws(StoreError) -> Bool {
        guard !path.isEmpty else { throw StoreError(operation: "opening the results database", underlying: "the path is empty; give a file name") }
        var info = stat()
        guard stat(path, &info) == 0 else { return false }
        if let problem = pathLengthProblem(path) { throw StoreError(operation: "opening \(path)", underlying: problem) }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw StoreError(operation: "opening \(path)", underlying: "not a regular file (a directory, device or pipe); give a database file name")
        }
        if info.st_size == 0 { return false }
        let foreign = "not a comp results database; give a new file name or one `comp run` made"
        // Not SQLite at all: refused without SQLite touching it.
        guard Self.hasSQLiteHeader(path) else { throw StoreError(operation: "opening \(path)", underlying: foreign) }
        // A run killed while it was writing leaves a hot journal beside the database. A read-only
        // connection cannot roll it back and fails; the first read-write one does, and the
        // database is again as it was before that run.
        // (Beside the file a link leads to, where SQLite writes it: one beside the link had been
        // missed, and every command then failed on a database that only needed the roll-back.)
        let journals = files(of: path).filter { $0.kind == .journal }.map(\.path)
        if journals.contains(where: { name in var journal = stat(); return stat(name, &journal) == 0 && journal.st_size > 0 }) {
            do {
                // A journal that a live run is writing (not hot): waited for, as a run waits.
                var waiting = Configuration()
                waiting.busyMode = .timeout(Self.busyWait)
                let recovering = try DatabaseQueue(path: Self.plainFileName(path), configuration: waiting)
                _ = try recovering.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master") }
            } catch let error as DatabaseError where [.SQLITE_READONLY, .SQLITE_CANTOPEN, .SQLITE_PERM].contains(error.resultCode) {
                // Said as what it is: the roll-back needs write access (SQLite said "attempt to
                // write a readonly database" to a reader).
                throw StoreError(
                    operation: "opening \(path)",
                    underlying: "a run was stopped while it wrote into it, and its journal (\(journals.joined(separator: ", "))) must be "
                        + "rolled back before it can be read, which needs write access to the database and its directory; run this "
                        + "command once as a user who can write them (SQLite: \(error.message ?? "\(error.resultCode)"))")
            } catch {
                throw Self.readFailure("opening \(path)", error, foreign: foreign)
            }
        }
        do {
            var configuration = Configuration()
            configuration.readonly = true
            // A run storing into it holds it a while at its commit: waited for, as a run waits.
            configuration.busyMode = .timeout(Self.busyWait)
            let queue = try DatabaseQueue(path: Self.plainFileName(path), configuration: configuration)
            let isComp = try queue.read { db in
                try db.tableExists("grdb_migrations")
                    && (try Bool.fetchOne(
                        db, sql: "SELECT EXISTS (SELECT 1 FROM grdb_migrations WHERE identifier = ?)",
                        arguments: [Self.firstMigration]) ?? false)
            }
            guard isComp else { throw StoreError(operation: "opening \(path)", underlying: foreign) }
            // A database a newer comp has changed: this version neither reads nor writes it (it
            // had been written into, its newer tables left behind by this run).
            let unknown = try queue.read { db in try Self.migrator.appliedIdentifiers(db).subtracting(Self.migrator.migrations).sorted() }
            if !unknown.isEmpty {
                let steps = unknown.map { "\"\($0)\"" }.joined(separator: ", ")
                throw StoreError(
                    operation: "opening \(path)",
                    underlying: "a newer comp made it (its schema has \(steps), which this version does not know); use that version, or give a new --db")
            }
            if checkingIntegrity {
                let problems = try queue.read { db in try String.fetchAll(db, sql: "PRAGMA quick_check(3)") }
                if problems != ["ok"] {
                    // Each problem on a line of its own (SQLite may give several in one row).
                    let found = problems.flatMap { $0.split(whereSeparator: \.isNewline) }.map { $0.trimmingCharacters(in: .whitespaces) }
                        .filter { !$0.isEmpty && $0 != "*** in database main ***" }
                    throw StoreError(
                        operation: "opening \(path)",
                        underlying: "the database file is damaged (SQLite's quick_check: \(found.joined(separator: "; "))); nothing was written to it; "
                            + "restore it from a backup, or give a new --db", damaged: true)
                }
            }
            return true
        } catch let error as StoreError {
            throw error
        } catch {
            throw Self.readFailure("opening \(path)", error, foreign: foreign)
        }
    }

    /// Whether the file at `path` starts as every SQLite database does ("SQLite format 3\0").
    static func hasSQLiteHeader(_ path: String) -> Bool {
        guard let file = fopen(path, "rb") else { return false }
        defer { fclose(file) }
        var header = [UInt8](repeating: 0, count: 16)
        guard fread(&header, 1, 16, file) == 16 else { return false }
        return header == Array("SQLite format 3\0".utf8)
    }

    /// What to say of a failure to open or read a database: busy or locked (another run is
    /// writing it), out of memory or I/O as SQLite says; anything else means it is not comp's.
    static func reason(_ error: any Error, foreign: String) -> String {
        guard let error = error as? DatabaseError else { return foreign }
        switch error.resultCode {
        case .SQLITE_BUSY, .SQLITE_LOCKED:
            return "the database is in use (another `comp run` may be writing it); try again when it has finished"
        case .SQLITE_CORRUPT, .SQLITE_NOTADB:
            return "the database file is damaged (SQLite: \(error.message ?? "\(error.resultCode)")); restore it from a backup, or give a new --db"
        case .SQLITE_IOERR, .SQLITE_NOMEM, .SQLITE_FULL, .SQLITE_CANTOPEN, .SQLITE_PERM, .SQLITE_READONLY:
            return "SQLite could not read it: \(error.message ?? "\(error.resultCode)")"
                + (error.resultCode.primaryResultCode == .SQLITE_IOERR ? fileSizeLimitNote() : "")
        default:
            if let missing = missingPart(error) {
                return "the database lacks comp's \(missing) (changed outside comp?); restore it from a backup, or give a new --db"
            }
            return foreign
        }
    }

    /// After an I/O error: the process's file-size limit, when it has one (`ulimit -f`), which a
    /// database growing past it runs into (the write fails with EFBIG, which SQLite reports as
    /// "disk I/O error" and nothing more); empty without a limit.
    static func fileSizeLimitNote() -> String {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_FSIZE.rawValue), &limit) == 0, limit.rlim_cur != rlim_t.max else { return "" }
        return "; this process may write files of at most \(limit.rlim_cur / 1024) KiB (`ulimit -f`): raise the limit, "
            + "or look for a failing disk"
    }

    /// The table or column a query found missing (`table statements`) from a database of comp's
    /// schema: someone changed the file outside comp (a dropped table). Nil for any other error.
    static func missingPart(_ error: DatabaseError) -> String? {
        guard error.resultCode == .SQLITE_ERROR, let message = error.message else { return nil }
        for (prefix, kind) in [("no such table: ", "table"), ("no such column: ", "column")] where message.hasPrefix(prefix) {
            return "\(kind) \(message.dropFirst(prefix.count))"
        }
        return nil
    }

    /// Whether SQLite's error means the file is damaged: corrupt pages, not a database any more,
    /// or a table or column of comp's schema gone.
    static func isDamage(_ error: DatabaseError) -> Bool {
        error.resultCode == .SQLITE_CORRUPT || error.resultCode == .SQLITE_NOTADB || missingPart(error) != nil
    }

    /// A failure to read the database, in words: a damaged file says so and what to do (it had
    /// been SQLite's "database disk image is malformed" and an internal error).
    static func readFailure(_ operation: String, _ error: any Error, foreign: String? = nil) -> StoreError {
        if let error = error as? DatabaseError, isDamage(error) {
            return StoreError(operation: operation, underlying: Self.reason(error, foreign: ""), damaged: true)
        }
        // Stored results comp cannot read back: the file was changed outside comp, or damaged
        // (bad input, not an internal error).
        if let error = error as? MalformedStatement {
            return StoreError(
                operation: operation,
                underlying: "\(error) (changed outside comp, or damaged); restore it from a backup, or give a new --db", damaged: true)
        }
        return StoreError(operation: operation, underlying: Self.reason(error, foreign: foreign ?? String(describing: error)))
    }

    /// `path` as SQLite must read it to open that very file: a relative path gets `./` in front,
    /// so that `:memory:` or `file:r.sqlite?mode=memory` name files, not an in-memory database or
    /// a URI (a run "stored" into one kept nothing; `file:r.sqlite` escaped the check that an
    /// export does not overwrite the database).
    static func plainFileName(_ path: String) -> String { path.hasPrefix("/") ? path : "./" + path }

    /// The name of the schema's first migration: a database that has it is comp's.
    static let firstMigration = "v1: runs, payouts, measures, traces, rejects, reconciliation"

    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    public init(path: String) throws(StoreError) {
        guard !path.isEmpty else { throw StoreError(operation: "opening the results database", underlying: "the path is empty; give a file name") }
        queue = try Self.openQueue(Self.plainFileName(path), journal: "TRUNCATE", shown: path)
        staging = nil
        // A run into an existing database cleans up after runs killed in its directory too (a
        // killed first run retried at once left its staging file behind for good).
        Self.removeAbandoned(in: FilePaths.directory(of: path))
    }

    /// A new database for `path`, where nothing is yet: it is written to a hidden file beside it
    /// (`.NAME.partial-HOST@PID-…`), and only ``persist()`` links it in at `path`, whole, in one step. A
    /// run that fails removes it; one killed (even by SIGKILL) leaves nothing at `path`, and a
    /// later run in that directory removes what a dead process left there (``removeAbandoned(in:now:)``). (A database
    /// made at `path` first was left with an empty schema; one made in memory and written out at
    /// the end cost 0.2 s at 10M transactions, written on one thread after the run instead of
    /// while it was evaluated.)
    ///   - replacingEmpty: an empty file is at `path` (made with `touch`): ``persist()`` replaces it
    ///     if it is still empty then.
    public init(creating path: String, replacingEmpty: Bool = false) throws(StoreError) {
        guard !path.isEmpty else { throw StoreError(operation: "opening the results database", underlying: "the path is empty; give a file name") }
        let slash = path.lastIndex(of: "/")
        let directory = FilePaths.directory(of: path)
        let prefix = Self.stagingPrefix(of: FilePaths.name(of: path))
        Self.removeAbandoned(in: directory)
        let file = (slash.map { String(path[...$0]) } ?? "") + prefix + "\(getpid())-" + String(UInt32.random(in: 0...UInt32.max), radix: 16)
        // (``pathLengthProblem(_:)`` counts the most this adds to the prefix: ``stagingSuffixBytes``.)
        // Registered before SQLite makes them: Ctrl-C at any point after leaves neither behind.
        let slots = InterruptCleanup.register([file, file + "-journal"])
        do {
            // The schema is made without syncing each of its migrations (27 of a run's 31
            // fdatasyncs; cheap on this VM's disk, not on every disk): the file is no one's until
            // ``persist()``, a crash before that leaves it to be removed, and the run's commit
            // syncs the whole file.
            queue = try Self.openQueue(Self.plainFileName(file), journal: "TRUNCATE", shown: path, syncingMigrations: false)
        } catch {
            // A database that could not be made (a full disk) leaves nothing either.
            for suffix in ["", "-journal"] { unlink(file + suffix) }
            InterruptCleanup.unregister(slots)
            throw error
        }
        staging = (file, path, directory, replacingEmpty)
        interruptSlots = slots
    }

    /// This host's name as a file name part (letters, digits, `-` and `.`; "host" when unknown).
    static let hostName: String = {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "host" }
        let name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            .filter { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == ".") }
        return name.isEmpty ? "host" : String(name.prefix(64))
    }()

    /// Removes the staging files (``init(creating:)``) of this host in `directory` whose process is
    /// gone: runs killed before they were stored, into a database of any name.
    /// A file is only removed when its name is exactly a staging name (`.NAME.partial-HOST@PID-HEX`,
    /// or with `-journal`), its process is gone, and it has not been written for
    /// ``abandonedAfter`` seconds (a process in another PID namespace on this host cannot be seen,
    /// but a live run writes its file as it goes).
    static func removeAbandoned(in directory: String, now: time_t = time(nil)) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
        let marker = stagingMarker
        for name in names where name.hasPrefix(".") {
            guard let found = name.range(of: marker, options: .backwards) else { continue }
            var rest = name[found.upperBound...]
            if rest.hasSuffix("-journal") { rest = rest.dropLast("-journal".count) }
            let parts = rest.split(separator: "-", omittingEmptySubsequences: false)
            guard parts.count == 2, let pid = Int32(parts[0]), pid > 0, !parts[1].isEmpty, parts[1].allSatisfy(\.isHexDigit) else { continue }
            // Alive (or not ours to ask): kept.
            if kill(pid, 0) == 0 || errno != ESRCH { continue }
            var info = stat()
            let path = directory + "/" + name
            guard lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, now - info.st_mtim.tv_sec >= abandonedAfter else { continue }
            unlink(path)
        }
    }

    /// Seconds without a write after which a dead process's staging file is removed.
    static let abandonedAfter: time_t = 600

    /// Removes a database made by ``init(creating:)`` that was not persisted (a failed run).
    public func discard() {
        guard let staging else { return }
        for suffix in ["", "-journal"] { unlink(staging.file + suffix) }
        forgetInterruptCleanup()
    }

    /// Opens the database at `name` and migrates its schema; `syncingMigrations: false` only for
    /// a new file no one else can see yet (its migrations are then not synced one by one).
    private static func openQueue(
        _ name: String, journal: String, shown path: String, syncingMigrations: Bool = true
    ) throws(StoreError) -> DatabaseQueue {
        var configuration = Configuration()
        // A reader of the database (a report, a `sqlite3` shell) is waited for a while at the
        // commit rather than failing the run the moment it holds a lock.
        configuration.busyMode = .timeout(Self.busyWait)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA page_size = 16384")
            try db.execute(sql: "PRAGMA journal_mode = \(journal)")
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        do {
            let queue = try DatabaseQueue(path: name, configuration: configuration)
            if syncingMigrations {
                try Self.migrator.migrate(queue)
            } else {
                try queue.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = OFF") }
                try Self.migrator.migrate(queue)
                try queue.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = NORMAL") }
            }
            return queue
        } catch let error as DatabaseError where error.resultCode.primaryResultCode == .SQLITE_IOERR {
            throw StoreError(
                operation: "opening \(path)",
                underlying: "SQLite error \(error.resultCode.rawValue): \(error.message ?? "\(error.resultCode)")" + Self.fileSizeLimitNote())
        } catch {
            throw StoreError(operation: "opening \(path)", underlying: String(describing: error))
        }
    }

    /// Puts a database made by ``init(creating:)`` at its path: its file (synced by SQLite when
    /// the run was committed) is linked in, which never replaces a file that appeared there in the
    /// meantime (that is an error, and the staging file is removed), then its staging name and
    /// journal are removed and the directory synced. Does nothing for a database opened from a
    /// file. Reads still work afterwards.
    public func persist() throws(StoreError) {
        guard let staging else { return }
        // From here the run may be in place: an interruption still removes the staging name (a
        // second link to the stored database, left behind otherwise) but must not say the run
        // was not stored.
        InterruptCleanup.quieten(interruptSlots)
        var placed: Int32
        var failure: Int32
        var info = stat()
        if staging.replacingEmpty && lstat(staging.destination, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG && info.st_size == 0 {
            // Still the empty file it was: replaced in one step.
            placed = rename(staging.file, staging.destination)
        } else {
            placed = link(staging.file, staging.destination)
        }
        failure = errno
        // A file system without hard links (vfat, exFAT, many FUSE ones): a rename that does not
        // replace either.
        if placed != 0 && [EPERM, EOPNOTSUPP, ENOSYS, EMLINK].contains(failure) {
            placed = comp_rename_noreplace(staging.file, staging.destination)
            failure = errno
        }
        discard()
        guard placed == 0 else {
            if failure == EEXIST {
                throw StoreError(
                    operation: "storing the run in \(staging.destination)",
                    underlying: "a file appeared there while this run was computing (another `comp run`?); this run was not stored: "
                        + "run it again to add it to that database, or give another name")
            }
            throw StoreError(operation: "storing the run in \(staging.destination)", underlying: String(cString: strerror(failure)))
        }
        let descriptor = open(staging.directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if descriptor >= 0 {
            _ = fsync(descriptor)
            _ = close(descriptor)
        }
    }

    deinit { InterruptCleanup.unregister(interruptSlots) }

    private func forgetInterruptCleanup() {
        InterruptCleanup.unregister(interruptSlots)
        interruptSlots = []
    }

    /// The schema, as an ordered list of named migrations.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration(firstMigration) { db in
            try db.execute(
                sql: """
                    CREATE TABLE runs (
                        id INTEGER PRIMARY KEY,
                        started_at TEXT NOT NULL,
                        finished_at TEXT NOT NULL,
                        status TEXT NOT NULL CHECK (status IN ('completed', 'failed')),
                        engine_version TEXT NOT NULL,
                        threads INTEGER NOT NULL,
                        plans TEXT NOT NULL,
                        options TEXT NOT NULL
                    );
                    CREATE TABLE run_inputs (
                        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                        kind TEXT NOT NULL,
                        path TEXT NOT NULL,
                        sha256 TEXT NOT NULL,
                        bytes INTEGER NOT NULL
                    );
                    CREATE TABLE payouts (
                        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                        rep TEXT NOT NULL,
                        period TEXT NOT NULL,
                        plan TEXT NOT NULL,
                        component TEXT NOT NULL,
                        ord INTEGER NOT NULL,
                        amount INTEGER NOT NULL,
                        currency TEXT NOT NULL,
                        trace INTEGER
                    );
                    CREATE INDEX payouts_by_run ON payouts(run_id, rep, period, ord);
                    CREATE TABLE measures (
                        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                        rep TEXT NOT NULL,
                        period TEXT NOT NULL,
                        plan TEXT NOT NULL,
                        measure TEXT NOT NULL,
                        ord INTEGER NOT NULL,
                        value INTEGER NOT NULL,
                        digits INTEGER NOT NULL
                    );
                    CREATE INDEX measures_by_run ON measures(run_id, rep, period, ord);
                    CREATE TABLE traces (
                        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                        id INTEGER NOT NULL,
                        plan TEXT NOT NULL,
                        component TEXT NOT NULL,
                        rule TEXT NOT NULL,
                        source TEXT NOT NULL,
                        tier TEXT,
                        rate TEXT,
                        base TEXT,
                        limit_applied TEXT,
                        transaction_count INTEGER NOT NULL,
                        transactions BLOB NOT NULL,
                        PRIMARY KEY (run_id, id)
                    );
                    CREATE TABLE rejects (
                        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                        file TEXT NOT NULL,
                        line INTEGER NOT NULL,
                        field INTEGER NOT NULL,
                        code TEXT NOT NULL,
                        message TEXT NOT NULL
                    );
                    CREATE TABLE reconciliation (
                        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                        file TEXT NOT NULL,
                        rows_read INTEGER NOT NULL,
                        accepted INTEGER NOT NULL,
                        rejected INTEGER NOT NULL,
                        excluded TEXT NOT NULL
                    );
                    """)
        }
        // A payout line's trace is stored on the line's own row: a separate trace row per line
        // doubled the rows a run writes (SQLite's cost is per row). The traces table keeps traces
        // no line refers to, and the traces of runs stored before this version.
        migrator.registerMigration("v2: traces on payout rows") { db in
            try db.execute(
                sql: """
                    ALTER TABLE payouts ADD COLUMN rule TEXT;
                    ALTER TABLE payouts ADD COLUMN source TEXT;
                    ALTER TABLE payouts ADD COLUMN tier TEXT;
                    ALTER TABLE payouts ADD COLUMN rate TEXT;
                    ALTER TABLE payouts ADD COLUMN base TEXT;
                    ALTER TABLE payouts ADD COLUMN limit_applied TEXT;
                    ALTER TABLE payouts ADD COLUMN transaction_count INTEGER;
                    ALTER TABLE payouts ADD COLUMN transactions BLOB;
                    """)
        }
        // Exports read a run in (rep, period, plan, order): indexes in exactly that order spare
        // SQLite a sort of every line.
        migrator.registerMigration("v3: indexes in export order") { db in
            try db.execute(
                sql: """
                    DROP INDEX payouts_by_run;
                    CREATE INDEX payouts_by_run ON payouts(run_id, rep, period, plan, ord);
                    DROP INDEX measures_by_run;
                    CREATE INDEX measures_by_run ON measures(run_id, rep, period, plan, ord);
                    """)
        }
        // Most lines of a rep-period read the same transactions (every credit rule's): the set is
        // stored on the first such line, and the others name that line's `ord`.
        migrator.registerMigration("v4: shared transaction sets") { db in
            try db.execute(sql: "ALTER TABLE payouts ADD COLUMN same_transactions_as INTEGER")
        }
        // One row per payee, period and plan (a statement): its lines and measures as JSON
        // arrays, the transaction sets their traces name as one blob, and each distinct (rule,
        // source) once per run in `trace_rules`. SQLite's cost is per row, and a statement used to
        // be about six rows. The views `payouts` and `measures` give the rows and columns of the
        // tables they replace, so queries written against earlier schemas keep working; runs
        // stored before are moved into statements here.
        migrator.registerMigration("v5: a row per statement") { db in
            try db.execute(
                sql: """
                    CREATE TABLE statements (
                        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                        rep TEXT NOT NULL,
                        period TEXT NOT NULL,
                        plan TEXT NOT NULL,
                        trace_first INTEGER,
                        trace_last INTEGER,
                        lines TEXT NOT NULL,
                        measures TEXT NOT NULL,
                        transactions BLOB NOT NULL
                    );
                    CREATE INDEX statements_by_run ON statements(run_id, rep, period, plan);
                    CREATE TABLE trace_rules (
                        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                        id INTEGER NOT NULL,
                        rule TEXT NOT NULL,
                        source TEXT NOT NULL,
                        PRIMARY KEY (run_id, id)
                    );
                    """)
            try StatementMigration.run(db)
            try db.execute(
                sql: """
                    DROP TABLE payouts;
                    DROP TABLE measures;
                    CREATE VIEW payouts AS
                    SELECT s.run_id AS run_id, s.rep AS rep, s.period AS period, s.plan AS plan,
                        json_extract(l.value, '$[0]') AS component,
                        json_extract(l.value, '$[1]') AS ord,
                        json_extract(l.value, '$[2]') AS amount,
                        json_extract(l.value, '$[3]') AS currency,
                        json_extract(l.value, '$[4]') AS trace,
                        r.rule AS rule,
                        r.source AS source,
                        json_extract(l.value, '$[6]') AS tier,
                        json_extract(l.value, '$[7]') AS rate,
                        json_extract(l.value, '$[8]') AS base,
                        json_extract(l.value, '$[9]') AS limit_applied,
                        json_extract(l.value, '$[10]') AS transaction_count,
                        substr(s.transactions, json_extract(l.value, '$[11]') + 1, json_extract(l.value, '$[12]')) AS transactions
                    FROM statements AS s
                    JOIN json_each(s.lines) AS l
                    LEFT JOIN trace_rules AS r ON r.run_id = s.run_id AND r.id = json_extract(l.value, '$[5]');
                    CREATE VIEW measures AS
                    SELECT s.run_id AS run_id, s.rep AS rep, s.period AS period, s.plan AS plan,
                        json_extract(m.value, '$[0]') AS measure,
                        json_extract(m.value, '$[1]') AS ord,
                        json_extract(m.value, '$[2]') AS value,
                        json_extract(m.value, '$[3]') AS digits
                    FROM statements AS s
                    JOIN json_each(s.measures) AS m;
                    """)
        }
        // A measure's unit (its currency, `rate` or `count`) is stored with its value; runs
        // stored before have none (NULL in the view).
        migrator.registerMigration("v6: measure units") { db in
            try db.execute(
                sql: """
                    DROP VIEW measures;
                    CREATE VIEW measures AS
                    SELECT s.run_id AS run_id, s.rep AS rep, s.period AS period, s.plan AS plan,
                        json_extract(m.value, '$[0]') AS measure,
                        json_extract(m.value, '$[1]') AS ord,
                        json_extract(m.value, '$[2]') AS value,
                        json_extract(m.value, '$[3]') AS digits,
                        json_extract(m.value, '$[4]') AS unit
                    FROM statements AS s
                    JOIN json_each(s.measures) AS m;
                    """)
        }
        // The ledger's rows and exact sums by currency and outcome (credited, excluded with its
        // reason, rejected): the reconciliation's sums, beside its counts. Runs stored before
        // have none.
        migrator.registerMigration("v7: reconciliation amounts") { db in
            try db.execute(
                sql: """
                    CREATE TABLE reconciliation_amounts (
                        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                        file TEXT NOT NULL,
                        currency TEXT NOT NULL,
                        outcome TEXT NOT NULL CHECK (outcome IN ('credited', 'excluded', 'rejected')),
                        reason TEXT,
                        rows INTEGER NOT NULL,
                        amount TEXT
                    );
                    CREATE INDEX reconciliation_amounts_by_run ON reconciliation_amounts(run_id);
                    """)
        }
        // What a run warned of, in the order it said it. Runs stored before have none.
        migrator.registerMigration("v8: run warnings") { db in
            try db.execute(
                sql: """
                    CREATE TABLE run_warnings (
                        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                        ordinal INTEGER NOT NULL,
                        message TEXT NOT NULL,
                        PRIMARY KEY (run_id, ordinal)
                    );
                    """)
        }
        // A `let` that is a condition, a date or a text has its row, its value in a column of its
        // own (`value` stays a number or NULL, so sums and comparisons over it hold).
        migrator.registerMigration("v9: measure texts") { db in
            try db.execute(
                sql: """
                    DROP VIEW measures;
                    CREATE VIEW measures AS
                    SELECT s.run_id AS run_id, s.rep AS rep, s.period AS period, s.plan AS plan,
                        json_extract(m.value, '$[0]') AS measure,
                        json_extract(m.value, '$[1]') AS ord,
                        json_extract(m.value, '$[2]') AS value,
                        json_extract(m.value, '$[3]') AS digits,
                        json_extract(m.value, '$[4]') AS unit,
                        json_extract(m.value, '$[5]') AS text
                    FROM statements AS s
                    JOIN json_each(s.measures) AS m;
                    """)
        }
        return migrator
    }

    /// Writes a completed run and everything it produced, in one transaction. Returns its id.
    /// If anything fails, nothing of the run is stored.
    ///
    /// `inputs`, when given, is called inside the transaction after the bulk rows are written and
    /// supplies the run's input fingerprints instead of `run.inputs`: the caller can hash the inputs
    /// while SQLite writes (the two are independent, and each takes one core).
    public func record(
        _ run: RunRecord, output: RunOutput, inputs: (() throws -> [InputFingerprint])? = nil
    ) throws(StoreError) -> RunID {
        try record(run, inputs: inputs) { write in
            try write(output)
            return output
        }
    }

    /// Writes a run whose results arrive in parts, in one transaction: `produce` is called inside
    /// the transaction and hands each part (payout lines, measures, traces; a part's trace indexes
    /// are its own) to `write` as soon as it has it, so that SQLite writes while the rest is being
    /// computed; it returns what comes last (rejects and reconciliation). If `produce` throws,
    /// nothing of the run is stored, and its error is the one thrown.
    ///
    /// `finishedAt`, when given, is the run's finishing time, asked for once `produce` is done.
    public func record(
        _ run: RunRecord, inputs: (() throws -> [InputFingerprint])? = nil, finishedAt: (() -> String)? = nil,
        produce: (_ write: (RunOutput) throws -> Void) throws -> RunOutput
    ) throws(StoreError) -> RunID {
        // Into an existing database: an interruption until the commit stores nothing, and says so
        // (a staging file's registration says it for a new one).
        if staging == nil { InterruptCleanup.writing(true) }
        defer { if staging == nil { InterruptCleanup.writing(false) } }
        let outcome: Result<RunID, StoreError>
        do {
            outcome = .success(try recordInTransaction(run, inputs: inputs, finishedAt: finishedAt, produce: produce))
        } catch {
            outcome = .failure(error)
        }
        // A signal while the run was written in place ends the process now that the transaction
        // is over (rolled back, unless it had committed).
        if staging == nil {
            InterruptCleanup.finishInterruptedWrite(stored: try? outcome.get().rawValue)
            if case .success = outcome { InterruptCleanup.runStored() }
        }
        return try outcome.get()
    }

    private func recordInTransaction(
        _ run: RunRecord, inputs: (() throws -> [InputFingerprint])?, finishedAt: (() -> String)?,
        produce: (_ write: (RunOutput) throws -> Void) throws -> RunOutput
    ) throws(StoreError) -> RunID {
        do {
            return try queue.writeWithoutTransaction { db in
                if staging == nil { InterruptCleanup.writing(on: db.sqliteConnection) }
                defer { if staging == nil { InterruptCleanup.writing(on: nil) } }
                // Foreign keys are not enforced while the run is written: every row it writes
                // carries the id of the run row inserted first, and any failure rolls the whole
                // run back. Enforced, they made SQLite keep a statement journal for each
                // multi-row INSERT of statements (to undo one that failed half-way): pages written
                // to a temporary file, several times the database's size, which cost about a
                // seventh of the evaluate-and-store phase. The setting cannot change inside a
                // transaction, hence here; it is restored whatever happens (a failure to restore
                // it after a stored run is an error; after a failed run, that run's is said).
                try db.execute(sql: "PRAGMA foreign_keys = OFF")
                var recorded: RunID? = nil
                // Only a new database's own file (no one else opens it): closing a second descriptor
                // of a file drops every POSIX lock this process holds on it, SQLite's included.
                let writeback = staging.map { Writeback(Self.plainFileName($0.file)) }
                do {
                    // The wait for other processes is changed while the run is written (see
                    // ``writeRun``), and set back when the transaction is over.
                    defer { sqlite3_busy_timeout(db.sqliteConnection, Int32(Self.busyWait * 1000)) }
                    try db.inTransaction {
                        writtenWithForeignKeys = try Bool.fetchOne(db, sql: "PRAGMA foreign_keys") ?? true
                        recorded = try writeRun(run, db, inputs: inputs, finishedAt: finishedAt, writeback: writeback, produce: produce)
                        return .commit
                    }
                } catch {
                    // After a write failed for want of space (or another I/O error), SQLite does
                    // not roll back at once: it leaves the journal to be played back when the
                    // database is next read. Read now, so that the run leaves the file as it was
                    // and no hot journal beside it (a copy of the file alone had been damaged,
                    // and a reader without write access could not open it).
                    _ = try? Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master")
                    try? db.execute(sql: "PRAGMA foreign_keys = ON")
                    throw error
                }
                // Closed once the commit has let go of the file's locks, not as soon as it is last used.
                withExtendedLifetime(writeback) {}
                try db.execute(sql: "PRAGMA foreign_keys = ON")
                guard let recorded else { throw StoreError(operation: "recording the run", underlying: "the transaction ended without the run") }
                return recorded
            }
        } catch let error as StoreError {
            throw error
        } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED {
            // A reader that held the database past the wait (a `sqlite3` shell in a transaction).
            throw StoreError(
                operation: "recording the run",
                underlying: "the database is in use (a reader or another `comp run` holds it); nothing was stored; run again when it is free")
        } catch let error as DatabaseError where error.resultCode == .SQLITE_FULL {
            throw StoreError(
                operation: "recording the run",
                underlying: "no space left on the device writing \(staging?.destination ?? queue.path); nothing was stored; free some space and run again")
        } catch let error as DatabaseError where Self.isDamage(error) {
            throw Self.readFailure("recording the run", error)
        } catch let error as DatabaseError {
            // SQLite's words, without the statement (sixteen rows of placeholders had filled the line).
            throw StoreError(
                operation: "recording the run",
                underlying: "SQLite error \(error.resultCode.rawValue): \(error.message ?? "\(error.resultCode)") writing "
                    + "\(staging?.destination ?? queue.path); nothing was stored"
                    + (error.resultCode.primaryResultCode == .SQLITE_IOERR ? Self.fileSizeLimitNote() : ""))
        } catch {
            // Not SQLite's: the producer's own failure, passed through in words.
            throw StoreError(operation: "recording the run", underlying: String(describing: error), cause: error)
        }
    }

    /// The rows of a run, written inside ``record(_:inputs:finishedAt:produce:)``'s transaction.
    private func writeRun(
        _ run: RunRecord, _ db: Database, inputs: (() throws -> [InputFingerprint])?, finishedAt: (() -> String)?,
        writeback: Writeback?, produce: (_ write: (RunOutput) throws -> Void) throws -> RunOutput
    ) throws -> RunID {
        try db.execute(
            sql: """
                INSERT INTO runs (started_at, finished_at, status, engine_version, threads, plans, options)
                VALUES (?, ?, 'completed', ?, ?, ?, ?)
                """,
            arguments: [
                run.startedAt, run.finishedAt, run.engineVersion, run.threads, run.plans.joined(separator: ","),
                run.options.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "\n"),
            ])
        let id = db.lastInsertedRowID
        let writer = try BulkWriter(db, run: id)
        // While the run is computed, SQLite spills pages it holds in memory to the file when it
        // can, which needs readers gone: a reader holding the database (a `sqlite3` shell in a
        // transaction) is not waited for then (the pages stay in memory), only at the commit, for
        // 15 s as anywhere else. With the wait at every spill, each spill had waited its 15 s (a
        // spill that cannot be made is not an error) and the run had gone on for as long as the
        // reader held on.
        // (The plain wait is set back once the transaction is over: ``recordInTransaction``.)
        sqlite3_busy_timeout(db.sqliteConnection, 0)
        let tail = try produce { part in
            try InterruptCleanup.checkPending()
            try writer.write(part)
            writeback?.start()
        }
        try InterruptCleanup.checkPending()
        if let finishedAt {
            try db.execute(sql: "UPDATE runs SET finished_at = ? WHERE id = ?", arguments: [finishedAt(), id])
        }
        let reject = try db.makeStatement(
            sql: "INSERT INTO rejects (run_id, file, line, field, code, message) VALUES (?, ?, ?, ?, ?, ?)")
        for record in tail.rejects {
            try reject.execute(arguments: [id, record.file, record.line, record.field, record.code, record.message])
        }
        let warning = try db.makeStatement(sql: "INSERT INTO run_warnings (run_id, ordinal, message) VALUES (?, ?, ?)")
        for (ordinal, message) in tail.warnings.enumerated() { try warning.execute(arguments: [id, ordinal + 1, message]) }
        let reconciliation = try db.makeStatement(
            sql: """
                INSERT INTO reconciliation (run_id, file, rows_read, accepted, rejected, excluded)
                VALUES (?, ?, ?, ?, ?, ?)
                """)
        let amount = try db.makeStatement(
            sql: """
                INSERT INTO reconciliation_amounts (run_id, file, currency, outcome, reason, rows, amount)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """)
        for record in tail.reconciliation {
            let excluded = record.excluded.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
            try reconciliation.execute(arguments: [
                id, record.file, record.rowsRead, record.accepted, record.rejected, excluded.joined(separator: "\n"),
            ])
            for line in record.amounts {
                // Exact, every digit kept (as text: a sum may not fit an integer of millionths).
                let text = line.amount.map { $0.formatted(fractionDigits: $0.exactFractionDigits) }
                try amount.execute(arguments: [id, record.file, line.currency, line.outcome.rawValue, line.reason, line.rows, text])
            }
        }
        let input = try db.makeStatement(
            sql: "INSERT INTO run_inputs (run_id, kind, path, sha256, bytes) VALUES (?, ?, ?, ?, ?)")
        for file in try inputs?() ?? run.inputs {
            try input.execute(arguments: [id, file.kind, file.path, file.sha256, file.bytes])
        }
        // Hashing the inputs may have taken a while.
        try InterruptCleanup.checkPending()
        // The commit waits for readers up to 15 s, as everything else does, unless a signal
        // comes.
        sqlite3_busy_handler(db.sqliteConnection, InterruptCleanup.commitBusyHandler, nil)
        return RunID(rawValue: id)
    }

    /// Whether the last run was written with foreign keys enforced (it is not: see
    /// ``record(_:inputs:finishedAt:produce:)``).
    private(set) var writtenWithForeignKeys: Bool? = nil

    /// Whether the store's connection enforces foreign keys: it does but while a run is written.
    func enforcesForeignKeys() throws -> Bool {
        try queue.read { db in try Bool.fetchOne(db, sql: "PRAGMA foreign_keys") ?? false }
    }

    /// The most recent completed run, if any.
    public func latestCompletedRun() throws(StoreError) -> RunID? {
        do {
            return try queue.read { db in
                try Int64.fetchOne(db, sql: "SELECT max(id) FROM runs WHERE status = 'completed'").map(RunID.init)
            }
        } catch {
            throw Self.readFailure("finding the latest run", error)
        }
    }

    /// The run's status (`completed`, or `failed` in a database an older engine or another tool
    /// wrote: comp stores a run whole or not at all), or `nil` when there is no such run.
    public func status(of id: RunID) throws(StoreError) -> String? {
        do {
            return try queue.read { db in try String.fetchOne(db, sql: "SELECT status FROM runs WHERE id = ?", arguments: [id.rawValue]) }
        } catch {
            throw Self.readFailure("reading run \(id)", error)
        }
    }

    /// Ids of all runs, oldest first.
    public func runs() throws(StoreError) -> [RunID] {
        do {
            return try queue.read { db in try Int64.fetchAll(db, sql: "SELECT id FROM runs ORDER BY id").map(RunID.init) }
        } catch {
            throw Self.readFailure("listing runs", error)
        }
    }

    /// The run's record, or `nil` when there is no such run.
    public func run(_ id: RunID) throws(StoreError) -> RunRecord? {
        do {
            return try queue.read { db -> RunRecord? in
                guard let row = try Row.fetchOne(db, sql: "SELECT * FROM runs WHERE id = ?", arguments: [id.rawValue]) else {
                    return nil
                }
                let inputs = try Row.fetchAll(
                    db, sql: "SELECT kind, path, sha256, bytes FROM run_inputs WHERE run_id = ? ORDER BY rowid",
                    arguments: [id.rawValue]
                ).map {
                    InputFingerprint(
                        kind: try $0.decode(forColumn: "kind"), path: try $0.decode(forColumn: "path"),
                        sha256: try $0.decode(forColumn: "sha256"), bytes: try $0.decode(forColumn: "bytes"))
                }
                let options: String = try row.decode(forColumn: "options")
                let plans: String = try row.decode(forColumn: "plans")
                var optionMap: [String: String] = [:]
                for line in options.split(separator: "\n") {
                    let parts = line.split(separator: "=", maxSplits: 1)
                    if parts.count == 2 { optionMap[String(parts[0])] = String(parts[1]) }
                }
                return RunRecord(
                    startedAt: try row.decode(forColumn: "started_at"), finishedAt: try row.decode(forColumn: "finished_at"),
                    engineVersion: try row.decode(forColumn: "engine_version"), threads: try row.decode(forColumn: "threads"),
                    plans: plans.isEmpty ? [] : plans.split(separator: ",").map(String.init),
                    inputs: inputs, options: optionMap)
            }
        } catch {
            throw Self.readFailure("reading run \(id)", error)
        }
    }

    /// The run's payout lines, sorted as exports want them: rep (byte order), period, plan,
    /// component order.
    public func payouts(_ id: RunID) throws(StoreError) -> [PayoutLine] {
        var lines: [PayoutLine] = []
        do {
            try forEachRepsPayouts(id) { lines.append(contentsOf: $0) }
        } catch {
            throw Self.readFailure("reading payouts of run \(id)", error)
        }
        return lines
    }

    /// The reps a run has payout lines for (sorted).
    public func reps(_ id: RunID) throws(StoreError) -> [String] {
        do {
            return try queue.read { db in
                try String.fetchAll(db, sql: "SELECT DISTINCT rep FROM statements WHERE run_id = ? ORDER BY rep", arguments: [id.rawValue])
            }
        } catch {
            throw Self.readFailure("reading the payees of run \(id)", error)
        }
    }

    /// The periods a rep has payout lines in, in a run (sorted).
    public func periods(_ id: RunID, rep: String) throws(StoreError) -> [String] {
        do {
            return try queue.read { db in
                try String.fetchAll(
                    db, sql: "SELECT DISTINCT period FROM statements WHERE run_id = ? AND rep = ? ORDER BY period",
                    arguments: [id.rawValue, rep])
            }
        } catch {
            throw Self.readFailure("reading the periods of \(rep) in run \(id)", error)
        }
    }

    /// Writes a run's payouts or measures as their export CSV (``ResultExport``), handing the text
    /// to `write` about a mebibyte at a time: an export of any size holds one rep's lines in
    /// memory, not the run's. The pieces, in order, are the whole file (the header comes first,
    /// also for a run with no lines). An error `write` throws is rethrown as it is.
    public func export(_ what: ExportKind, of id: RunID, write: ([UInt8]) throws(StoreError) -> Void) throws(StoreError) {
        try export(what, of: id, piece: 1 << 20, write: write)
    }

    /// ``export(_:of:write:)`` in pieces of at least `piece` bytes (each whole reps' lines) but the last.
    func export(_ what: ExportKind, of id: RunID, piece: Int, write: ([UInt8]) throws(StoreError) -> Void) throws(StoreError) {
        var buffer = CSVBuffer(what == .payouts ? ResultExport.payoutsHeader : ResultExport.measuresHeader, capacity: min(piece, 1 << 20) + (1 << 16))
        var writeFailure: StoreError? = nil
        var written = false
        func flush() throws(StoreError) {
            do {
                written = true
                try write(buffer.take())
            } catch {
                writeFailure = error
                throw error
            }
        }
        do {
            switch what {
            case .payouts:
                try forEachPayoutsGroup(id) { prefix, lines in
                    for line in lines { buffer.line(line, prefix: prefix) }
                    if buffer.count >= piece { try flush() }
                }
            case .measures:
                try forEachRepsMeasures(id, where: "", []) { values in
                    for value in ResultExport.sorted(values) { buffer.line(value) }
                    if buffer.count >= piece { try flush() }
                }
            }
        } catch {
            if let writeFailure { throw writeFailure }
            throw Self.readFailure("reading \(what.rawValue) of run \(id)", error)
        }
        if buffer.count > 0 || !written { try flush() }
    }

    /// The run's payout lines for an export, a (rep, period, plan) at a time in export order, with
    /// the CSV prefix `rep,period,plan,` they share: read from each statement's JSON straight,
    /// without its trace texts or a line's shared fields copied per line (an export of 684,000
    /// statements took 5 s through ``forEachRepsPayouts(_:_:)``).
    private func forEachPayoutsGroup(_ id: RunID, _ body: (_ prefix: [UInt8], _ lines: [PayoutLine]) throws -> Void) throws {
        var currencies: [String: Currency] = [:]
        try queue.read { db in
            let statement = try db.makeStatement(sql: "SELECT rep, period, plan, lines FROM statements WHERE run_id = ? ORDER BY rep, period, plan")
            try statement.setArguments([id.rawValue])
            var key: (rep: String, period: String, plan: String)? = nil
            var lines: [PayoutLine] = []
            func flush() throws {
                guard let first = lines.first else { return }
                try body(CSVBuffer.prefix(first), stablySorted(lines) { $0.order < $1.order })
                lines.removeAll(keepingCapacity: true)
            }
            try RawReader.forEachRow(db, statement) { row in
                let rep = row.text(0)
                let period = row.text(1)
                let plan = row.text(2)
                // SQLite orders text by its bytes, as exports do: a key's statements come together.
                if key.map({ !sameBytes($0.rep, rep) || !sameBytes($0.period, period) || !sameBytes($0.plan, plan) }) ?? true {
                    try flush()
                    key = (rep, period, plan)
                }
                try row.forEachLine(3, width: LineField.width) { component, order, amount, code in
                    lines.append(
                        PayoutLine(
                            rep: rep, period: period, plan: plan, component: component, order: Int(order), amount: FixedDecimal(units: amount),
                            currency: Self.currency(code, known: &currencies)))
                }
            }
            try flush()
        }
    }

    /// The run's statements' payout lines, a rep at a time (the rep's periods and plans in order,
    /// each statement's lines in component order).
    private func forEachRepsPayouts(_ id: RunID, _ body: ([PayoutLine]) throws -> Void) throws {
        var currencies: [String: Currency] = [:]
        // A line's first values only: its trace texts are not read (five strings a line).
        try forEachRepsItems(id, column: "lines", width: LineField.width, materialized: LineField.trace + 1, where: "", [], order: \.order, body) {
            stored, rep, period, plan in
            try Self.payoutLine(stored, rep: rep, period: period, plan: plan, currencies: &currencies)
        }
    }

    /// The items of column `column` (a JSON array of arrays of `width` scalars: a statement's lines
    /// or measures) of the run's statements that `filter` keeps, made by `item` and handed to `body`
    /// a rep at a time: the rep's periods and plans in order, each statement's items by `order`.
    private func forEachRepsItems<Item>(
        _ id: RunID, column: String, width: Int, materialized: Int = .max, where filter: String, _ values: [String],
        order: @escaping (Item) -> Int, _ body: ([Item]) throws -> Void, item: ([JSONScalar], String, String, String) throws -> Item
    ) throws {
        try queue.read { db in
            let statement = try db.makeStatement(
                sql: "SELECT rep, period, plan, \(column) FROM statements WHERE run_id = ?\(filter) ORDER BY rep, period, plan")
            try statement.setArguments(StatementArguments([id.rawValue.databaseValue] + values.map(\.databaseValue)))
            var items: [Item] = []
            var group = StatementRun<Item>(order: order)
            var currentRep: String? = nil
            // Read through the C API: GRDB's rows cost about a microsecond each, most of an export.
            try RawReader.forEachRow(db, statement) { row in
                let rep = row.text(0)
                let period = row.text(1)
                let plan = row.text(2)
                // SQLite orders text by its bytes, as exports do: a rep's rows come together.
                if let currentRep, !sameBytes(currentRep, rep) {
                    group.flush(into: &items)
                    try body(items)
                    items.removeAll(keepingCapacity: true)
                }
                currentRep = rep
                group.start(rep: rep, period: period, plan: plan, flushingInto: &items)
                for stored in try row.rows(3, width: width, materialized: materialized) { group.items.append(try item(stored, rep, period, plan)) }
            }
            group.flush(into: &items)
            if !items.isEmpty { try body(items) }
        }
    }

    /// The run's measures, sorted like payouts.
    public func measures(_ id: RunID) throws(StoreError) -> [MeasureValue] {
        try measures(id, where: "", [])
    }

    /// One rep's measures in one period of a run, in order.
    public func measures(_ id: RunID, rep: String, period: String) throws(StoreError) -> [MeasureValue] {
        try measures(id, where: " AND rep = ? AND period = ?", [rep, period])
    }

    private func measures(_ id: RunID, where filter: String, _ values: [String]) throws(StoreError) -> [MeasureValue] {
        var measures: [MeasureValue] = []
        do {
            try forEachRepsMeasures(id, where: filter, values) { measures.append(contentsOf: $0) }
        } catch {
            throw Self.readFailure("reading measures of run \(id)", error)
        }
        return measures
    }

    /// The statements' measures (those `filter` keeps), a rep at a time, like ``forEachRepsPayouts(_:_:)``.
    private func forEachRepsMeasures(_ id: RunID, where filter: String, _ values: [String], _ body: ([MeasureValue]) throws -> Void) throws {
        try forEachRepsItems(id, column: "measures", width: MeasureField.width, where: filter, values, order: \.order, body) {
            stored, rep, period, plan in
            // A null value: none for the payee and period (a `let` reading an empty optional column),
            // or a condition's, date's or text's, which is in a slot of its own.
            guard let name = stored[MeasureField.name].string, let order = stored[MeasureField.order].integer,
                stored[MeasureField.value] == .null || stored[MeasureField.value].integer != nil,
                let digits = stored[MeasureField.digits].integer
            else { throw MalformedStatement(reason: "a measure of \(rep) in \(period) lacks a value") }
            let value = stored[MeasureField.value].integer
            let text = stored.count > MeasureField.text ? stored[MeasureField.text].string : nil
            // Exports show at most the stored digits.
            guard (0...Int64(FixedDecimal.scale)).contains(digits) else {
                throw MalformedStatement(reason: "measure \(name) of \(rep) in \(period) has \(digits) digits")
            }
            let unit = stored.count > MeasureField.unit ? stored[MeasureField.unit].string.flatMap(MeasureUnit.init(code:)) : nil
            return MeasureValue(
                rep: rep, period: period, plan: plan, measure: name, order: Int(order), value: value.map(FixedDecimal.init(units:)),
                digits: Int(digits), unit: unit, text: text)
        }
    }

    /// The currency of a stored line's code, looked up once per code (a code comp does not list,
    /// from an older engine, is kept with 2 minor digits).
    private static func currency(_ code: String, known: inout [String: Currency]) -> Currency {
        if let currency = known[code] { return currency }
        let currency = Currency(code: code) ?? Currency(unlistedCode: code, minorUnits: 2)
        known[code] = currency
        return currency
    }

    /// A payout line from its stored values.
    private static func payoutLine(
        _ stored: [JSONScalar], rep: String, period: String, plan: String, currencies: inout [String: Currency]
    ) throws(MalformedStatement) -> PayoutLine {
        guard let component = stored[LineField.component].string, let order = stored[LineField.order].integer,
            let amount = stored[LineField.amount].integer, let code = stored[LineField.currency].string
        else { throw MalformedStatement(reason: "a payout line of \(rep) in \(period) lacks a value") }
        let currency = Self.currency(code, known: &currencies)
        return PayoutLine(
            rep: rep, period: period, plan: plan, component: component, order: Int(order), amount: FixedDecimal(units: amount),
            currency: currency, trace: stored[LineField.trace].integer.map { Int($0) })
    }

    /// The trace with number `trace` of a run: from the payout line that carries it, or from the
    /// traces table (traces no line refers to, and runs stored before traces moved onto lines).
    public func trace(_ id: RunID, _ trace: Int) throws(StoreError) -> TraceRecord? {
        do {
            return try queue.read { db -> TraceRecord? in
                let rows = try Row.fetchAll(
                    db,
                    sql: """
                        SELECT rep, period, plan, lines, transactions FROM statements
                        WHERE run_id = ? AND trace_first <= ? AND trace_last >= ?
                        """,
                    arguments: [id.rawValue, trace, trace])
                var rules = RuleCache(run: id.rawValue)
                var currencies: [String: Currency] = [:]
                for row in rows {
                    let lines = try Self.storedLines(try row.decode(String.self, forColumn: "lines"))
                    for stored in lines where stored[LineField.trace].integer == Int64(trace) && stored[LineField.rule] != .null {
                        let line = try Self.payoutLine(
                            stored, rep: try row.decode(forColumn: "rep"), period: try row.decode(forColumn: "period"),
                            plan: try row.decode(forColumn: "plan"), currencies: &currencies)
                        return try Self.traceRecord(
                            stored, line: line, blob: try row.decode(forColumn: "transactions"), rules: &rules, db)
                    }
                }
                return try Self.tracesTableRecord(db, run: id, trace: trace)
            }
        } catch {
            throw Self.readFailure("reading trace \(trace) of run \(id)", error)
        }
    }

    /// One rep's payout lines in one period of a run, by plan and component order, each with its
    /// trace (read through the `(run, rep, period)` index: `comp explain` on a large run).
    public func lines(_ id: RunID, rep: String, period: String) throws(StoreError) -> [(line: PayoutLine, trace: TraceRecord?)] {
        do {
            return try queue.read { db in
                let rows = try Row.fetchAll(
                    db,
                    sql: "SELECT plan, lines, transactions FROM statements WHERE run_id = ? AND rep = ? AND period = ? ORDER BY plan",
                    arguments: [id.rawValue, rep, period])
                var rules = RuleCache(run: id.rawValue)
                var currencies: [String: Currency] = [:]
                var found: [(line: PayoutLine, trace: TraceRecord?)] = []
                var group = StatementRun<(line: PayoutLine, trace: TraceRecord?)>(order: \.line.order)
                for row in rows {
                    let plan: String = try row.decode(forColumn: "plan")
                    group.start(rep: rep, period: period, plan: plan, flushingInto: &found)
                    for stored in try Self.storedLines(try row.decode(String.self, forColumn: "lines")) {
                        let line = try Self.payoutLine(stored, rep: rep, period: period, plan: plan, currencies: &currencies)
                        var trace: TraceRecord? = nil
                        if stored[LineField.rule] != .null {
                            trace = try Self.traceRecord(
                                stored, line: line, blob: try row.decode(forColumn: "transactions"), rules: &rules, db)
                        } else if let index = line.trace {
                            trace = try Self.tracesTableRecord(db, run: id, trace: index)
                        }
                        group.items.append((line, trace))
                    }
                }
                group.flush(into: &found)
                return found
            }
        } catch {
            throw Self.readFailure("reading the payouts of \(rep) in \(period) of run \(id)", error)
        }
    }

    /// A statement's lines from its JSON text.
    private static func storedLines(_ text: String) throws(MalformedStatement) -> [[JSONScalar]] {
        let bytes = Array(text.utf8)
        return try bytes.withUnsafeBufferPointer { buffer throws(MalformedStatement) in try JSONRows.parse(buffer, width: LineField.width) }
    }

    /// A run's (rule, source) pairs, read as lines name them.
    private struct RuleCache {
        let run: Int64
        var known: [Int64: (rule: String, source: String)] = [:]

        mutating func rule(_ id: Int64, _ db: Database) throws -> (rule: String, source: String) {
            if let pair = known[id] { return pair }
            guard
                let row = try Row.fetchOne(
                    db, sql: "SELECT rule, source FROM trace_rules WHERE run_id = ? AND id = ?", arguments: [run, id])
            else { throw MalformedStatement(reason: "a line names rule \(id), which is not stored") }
            let pair = (
                rule: try row.decode(String.self, forColumn: "rule"), source: try row.decode(String.self, forColumn: "source")
            )
            known[id] = pair
            return pair
        }
    }

    /// The trace a stored line carries.
    private static func traceRecord(
        _ stored: [JSONScalar], line: PayoutLine, blob: Data?, rules: inout RuleCache, _ db: Database
    ) throws -> TraceRecord {
        guard let ruleID = stored[LineField.rule].integer else { throw MalformedStatement(reason: "a trace without its rule") }
        let rule = try rules.rule(ruleID, db)
        var set = RowSet(rows: [])
        if let offset = stored[LineField.offset].integer, let count = stored[LineField.bytes].integer {
            let bytes = blob.map { [UInt8]($0) } ?? []
            guard offset >= 0, count >= 0, offset <= Int64(bytes.count), count <= Int64(bytes.count) - offset,
                let decoded = RowSet(encoded: Array(bytes[Int(offset)..<Int(offset + count)]))
            else { throw MalformedStatement(reason: "a line's transactions are not in its statement") }
            set = decoded
        }
        return TraceRecord(
            plan: line.plan, component: line.component, rule: rule.rule, source: rule.source,
            tier: stored[LineField.tier].string, rate: stored[LineField.rate].string, base: stored[LineField.base].string,
            limit: stored[LineField.limit].string, transactions: set)
    }

    /// Trace `trace` of a run from the traces table (traces no line carries, and runs of schema v1).
    private static func tracesTableRecord(_ db: Database, run id: RunID, trace: Int) throws -> TraceRecord? {
        try Row.fetchOne(db, sql: "SELECT * FROM traces WHERE run_id = ? AND id = ?", arguments: [id.rawValue, trace]).map { try traceRecord($0) }
    }

    /// A trace from a row of the traces table; a value of the wrong type is an error, not a trap.
    private static func traceRecord(_ row: Row) throws -> TraceRecord {
        let blob: Data? = try row.decode(forColumn: "transactions")
        let bytes = blob.map { [UInt8]($0) } ?? []
        return TraceRecord(
            plan: try row.decode(forColumn: "plan"), component: try row.decode(forColumn: "component"),
            rule: try row.decode(forColumn: "rule"), source: try row.decode(forColumn: "source"),
            tier: try row.decode(forColumn: "tier"), rate: try row.decode(forColumn: "rate"),
            base: try row.decode(forColumn: "base"), limit: try row.decode(forColumn: "limit_applied"),
            transactions: RowSet(encoded: bytes) ?? RowSet(rows: []))
    }

    /// The run's rejected input rows, by file, line and field.
    public func rejects(_ id: RunID) throws(StoreError) -> [RejectRecord] {
        do {
            return try queue.read { db in
                try Row.fetchAll(
                    db, sql: "SELECT file, line, field, code, message FROM rejects WHERE run_id = ? ORDER BY rowid",
                    arguments: [id.rawValue]
                ).map {
                    RejectRecord(
                        file: try $0.decode(forColumn: "file"), line: try $0.decode(forColumn: "line"),
                        field: try $0.decode(forColumn: "field"), code: try $0.decode(forColumn: "code"),
                        message: try $0.decode(forColumn: "message"))
                }
            }
        } catch {
            throw Self.readFailure("reading rejects of run \(id)", error)
        }
    }

    /// What the run warned of, in the order it said it (none for runs stored before warnings
    /// were kept).
    public func warnings(_ id: RunID) throws(StoreError) -> [String] {
        do {
            return try queue.read { db in
                try String.fetchAll(db, sql: "SELECT message FROM run_warnings WHERE run_id = ? ORDER BY ordinal", arguments: [id.rawValue])
            }
        } catch {
            throw Self.readFailure("reading warnings of run \(id)", error)
        }
    }
}

@available(*, unavailable)
extension ResultStore: Sendable {}

/// Binds and steps one row of a prepared insert through the C API (values are copied by SQLite).
/// The statement handle stays inside this module, owned by its GRDB `Statement`.
private struct RawRow {
    let handle: OpaquePointer

    init(_ handle: OpaquePointer) { self.handle = handle }

    /// SQLite's SQLITE_TRANSIENT (a macro, not imported): SQLite copies the bytes.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    func bind(_ index: Int32, _ value: Int64) { sqlite3_bind_int64(handle, index, value) }

    func bind(_ index: Int32, _ value: Int64?) {
        if let value { sqlite3_bind_int64(handle, index, value) } else { sqlite3_bind_null(handle, index) }
    }

    func bind(_ index: Int32, _ value: String?) {
        guard let value else {
            sqlite3_bind_null(handle, index)
            return
        }
        var text = value
        text.withUTF8 { bytes in
            _ = bytes.withMemoryRebound(to: CChar.self) {
                sqlite3_bind_text(handle, index, $0.baseAddress, Int32($0.count), RawRow.transient)
            }
        }
    }

    func bind(_ index: Int32, blob: [UInt8]) {
        _ = blob.withUnsafeBytes { sqlite3_bind_blob(handle, index, $0.baseAddress ?? UnsafeRawPointer(bitPattern: 1), Int32($0.count), RawRow.transient) }
    }

    /// Steps the insert and resets it; a failure is thrown as GRDB's `DatabaseError` with the SQL.
    func step(_ db: Database, _ statement: Statement) throws {
        let code = sqlite3_step(handle)
        sqlite3_reset(handle)
        guard code == SQLITE_DONE else {
            throw DatabaseError(
                resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)),
                sql: statement.sql)
        }
    }
}

/// The text and blob values of one statement's rows, copied into one buffer and bound without a
/// further copy (SQLite's SQLITE_STATIC): binding each string as SQLITE_TRANSIENT cost SQLite a
/// malloc and a copy per value.
private struct BoundBytes {
    private var bytes: [UInt8] = []
    private var spans: [(index: Int32, offset: Int, count: Int, blob: Bool)] = []
    private var nulls: [Int32] = []

    mutating func reset() {
        bytes.removeAll(keepingCapacity: true)
        spans.removeAll(keepingCapacity: true)
        nulls.removeAll(keepingCapacity: true)
    }

    mutating func text(_ index: Int32, _ value: String?) {
        guard let value else { return nulls.append(index) }
        let offset = bytes.count
        bytes.appendUTF8(value)
        spans.append((index, offset, bytes.count - offset, false))
    }

    mutating func text(_ index: Int32, bytes value: [UInt8]) {
        let offset = bytes.count
        bytes.append(contentsOf: value)
        spans.append((index, offset, value.count, false))
    }

    mutating func blob(_ index: Int32, _ value: [UInt8]) {
        let offset = bytes.count
        bytes.append(contentsOf: value)
        spans.append((index, offset, value.count, true))
    }

    /// Binds every value to `raw`'s statement and runs `body` (which steps it) while the bytes are
    /// valid; the statement is rebound before it is stepped again.
    func bound(to raw: RawRow, _ body: () throws -> Void) throws {
        for index in nulls { sqlite3_bind_null(raw.handle, index) }
        try bytes.withUnsafeBytes { buffer in
            // A zero-length value still needs a non-null pointer (a null one would bind NULL).
            let base = buffer.baseAddress ?? UnsafeRawPointer(bitPattern: 1)
            for span in spans {
                let pointer = base.map { $0 + span.offset }
                if span.blob {
                    sqlite3_bind_blob(raw.handle, span.index, pointer, Int32(span.count), nil)
                } else {
                    sqlite3_bind_text(raw.handle, span.index, pointer?.assumingMemoryBound(to: CChar.self), Int32(span.count), nil)
                }
            }
            try body()
        }
    }
}

/// Steps a prepared query through the C API and hands each row's columns to `body`. The
/// statement handle stays inside this module, owned by its GRDB `Statement`.
private struct RawReader {
    let handle: OpaquePointer

    static func forEachRow(_ db: Database, _ statement: Statement, _ body: (RawReader) throws -> Void) throws {
        let handle = statement.sqliteStatement
        defer { sqlite3_reset(handle) }
        while true {
            let code = sqlite3_step(handle)
            if code == SQLITE_DONE { return }
            guard code == SQLITE_ROW else {
                throw DatabaseError(
                    resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)),
                    sql: statement.sql)
            }
            try body(RawReader(handle: handle))
        }
    }

    func isNull(_ column: Int32) -> Bool { sqlite3_column_type(handle, column) == SQLITE_NULL }

    func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }

    /// The column's JSON array of arrays (a statement's lines or measures).
    func rows(_ column: Int32, width: Int, materialized: Int = .max) throws(MalformedStatement) -> [[JSONScalar]] {
        guard let bytes = sqlite3_column_text(handle, column) else { throw MalformedStatement(reason: "no text") }
        let count = Int(sqlite3_column_bytes(handle, column))
        return try JSONRows.parse(UnsafeBufferPointer(start: bytes, count: count), width: width, materialized: materialized)
    }

    /// Each payout line of the column's JSON lines array (see ``JSONRows/forEachLine(_:width:_:)``).
    func forEachLine(
        _ column: Int32, width: Int,
        _ body: (_ component: String, _ order: Int64, _ amount: Int64, _ currency: String) throws(MalformedStatement) -> Void
    ) throws(MalformedStatement) {
        guard let bytes = sqlite3_column_text(handle, column) else { throw MalformedStatement(reason: "no text") }
        let count = Int(sqlite3_column_bytes(handle, column))
        try JSONRows.forEachLine(UnsafeBufferPointer(start: bytes, count: count), width: width, body)
    }

    /// The column as UTF-8 text (invalid bytes replaced; NUL bytes kept).
    func text(_ column: Int32) -> String {
        guard let bytes = sqlite3_column_text(handle, column) else { return "" }
        let count = Int(sqlite3_column_bytes(handle, column))
        return String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
    }
}

/// Writes the bulk rows of a run, part after part, through SQLite's C API: a statement row per
/// payee, period and plan (see Statements.swift), 16 rows to an INSERT (a statement step per row
/// was most of SQLite's time, and GRDB's generic arguments cost a few microseconds a row), and
/// the traces no line carries.
private final class BulkWriter {
    let db: Database
    let id: Int64
    /// Traces written so far: a part's trace indexes are offset by it.
    var traceBase = 0
    let batch = 16
    static let columns = 9
    // OR FAIL: a row that broke a constraint would stop its statement without undoing the rows
    // before it (the run's rollback does), so SQLite keeps no statement journal for it either.
    static let prefix = """
        INSERT OR FAIL INTO statements (run_id, rep, period, plan, trace_first, trace_last, lines, measures, transactions) VALUES
        """
    let full: Statement
    let trace: Statement
    let rules: RuleInterner
    // Buffers reused from statement to statement. Unchecked exclusivity: the writer is used by
    // one thread, and no access to these stays open across a call that touches them (the dynamic
    // checks cost a tenth of writing a statement).
    /// The text and blob values of the statement being filled.
    @exclusivity(unchecked) private var values = BoundBytes()
    @exclusivity(unchecked) private var json = JSONWriter()
    @exclusivity(unchecked) private var sets = TransactionSets()

    init(_ db: Database, run id: Int64) throws {
        self.db = db
        self.id = id
        full = try db.makeStatement(sql: Self.prefix + Self.values(Self.columns, rows: batch))
        trace = try db.makeStatement(
            sql: """
                INSERT INTO traces (run_id, id, plan, component, rule, source, tier, rate, base, limit_applied,
                    transaction_count, transactions)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
        rules = try RuleInterner(db, run: id)
    }

    /// INSERTs of fewer rows than a batch, by row count: a part's last rows (most parts are one
    /// payee's dozen periods) had prepared one every part.
    private var shorterStatements: [Int: Statement] = [:]

    func shorter(_ rows: Int) throws -> Statement {
        if let made = shorterStatements[rows] { return made }
        let made = try db.makeStatement(sql: Self.prefix + Self.values(Self.columns, rows: rows))
        shorterStatements[rows] = made
        return made
    }

    static func values(_ columns: Int, rows: Int) -> String {
        let row = "(" + Array(repeating: "?", count: columns).joined(separator: ", ") + ")"
        return Array(repeating: row, count: rows).joined(separator: ", ")
    }

    func write(_ part: RunOutput) throws {
        let base = traceBase
        traceBase += part.traces.count
        var onLines = [Bool](repeating: false, count: part.traces.count)
        let grouping = StatementGroup.groups(of: part)
        let groups = grouping.groups
        var start = 0
        while start < groups.count {
            let count = min(batch, groups.count - start)
            let statement = count == batch ? full : try shorter(count)
            let raw = RawRow(statement.sqliteStatement)
            values.reset()
            for offset in 0..<count {
                let group = groups[start + offset]
                let column = Int32(offset * Self.columns)
                sets.reset()
                json.bytes.removeAll(keepingCapacity: true)
                var first: Int64? = nil
                var last: Int64? = nil
                // Lines and traces read in place, their texts passed as they are stored (a copy of
                // a record, or a ``StoredLine`` made of one, retained and released each text).
                try part.payouts.withUnsafeBufferPointer { payouts in
                    try part.traces.withUnsafeBufferPointer { traces in
                        guard let lines = payouts.baseAddress else { return }
                        try json.array(group.lines) { json, position in
                            let line = lines + grouping.line(position)
                            let trace = line.pointee.trace.map { Int64($0 + base) }
                            guard let index = line.pointee.trace, index >= 0, index < traces.count, let record = traces.baseAddress.map({ $0 + index })
                            else {
                                return StoredLine.write(
                                    component: line.pointee.component, order: Int64(line.pointee.order), amount: line.pointee.amount.units,
                                    currency: line.pointee.currency.code, trace: trace, rule: nil, tier: nil, rate: nil, base: nil, limit: nil,
                                    count: nil, span: nil, to: &json)
                            }
                            onLines[index] = true
                            let rule = try rules.id(rule: record.pointee.rule, source: record.pointee.source)
                            let span = sets.span(of: record.pointee.transactions)
                            let number = Int64(index + base)
                            first = min(first ?? number, number)
                            last = max(last ?? number, number)
                            StoredLine.write(
                                component: line.pointee.component, order: Int64(line.pointee.order), amount: line.pointee.amount.units,
                                currency: line.pointee.currency.code, trace: trace, rule: rule, tier: record.pointee.tier,
                                rate: record.pointee.rate, base: record.pointee.base, limit: record.pointee.limit,
                                count: Int64(record.pointee.transactions.count), span: span, to: &json)
                        }
                    }
                }
                raw.bind(column + 1, id)
                values.text(column + 2, group.rep)
                values.text(column + 3, group.period)
                values.text(column + 4, group.plan)
                raw.bind(column + 5, first)
                raw.bind(column + 6, last)
                values.text(column + 7, bytes: json.bytes)
                json.bytes.removeAll(keepingCapacity: true)
                part.measures.withUnsafeBufferPointer { measures in
                    guard let first = measures.baseAddress else { return }
                    json.array(group.measures) { json, position in writeMeasure(at: first + grouping.measure(position), to: &json) }
                }
                values.text(column + 8, bytes: json.bytes)
                values.blob(column + 9, sets.blob)
            }
            try values.bound(to: raw) { try raw.step(db, statement) }
            start += count
        }
        // Traces no line carries keep their own rows.
        for (index, record) in part.traces.enumerated() where !onLines[index] {
            let raw = RawRow(trace.sqliteStatement)
            raw.bind(1, id)
            raw.bind(2, Int64(base + index))
            raw.bind(3, record.plan)
            raw.bind(4, record.component)
            raw.bind(5, record.rule)
            raw.bind(6, record.source)
            raw.bind(7, record.tier)
            raw.bind(8, record.rate)
            raw.bind(9, record.base)
            raw.bind(10, record.limit)
            raw.bind(11, Int64(record.transactions.count))
            raw.bind(12, blob: record.transactions.encoded)
            try raw.step(db, trace)
        }
    }
}

/// Pages SQLite has written to a new database's file, sent to disk while the run goes on: the
/// commit's sync then waits for the last of them only (at 10M transactions it had waited 64 ms
/// for all 92 MB, with nothing else left to do). Opened read-only beside SQLite's own descriptor,
/// for a file no other process opens (see ``ResultStore/record(_:inputs:finishedAt:produce:)``);
/// a file it cannot open is left to the commit.
private final class Writeback {
    private let descriptor: Int32

    init(_ path: String) { descriptor = open(path, O_RDONLY | O_CLOEXEC) }

    func start() {
        if descriptor >= 0 { comp_start_writeback(descriptor, 0, 0) }
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
    }
}

/// The ids of a run's (rule, source) pairs in `trace_rules`, each inserted the first time it is
/// seen: a rule's text and source are the same on most of a run's lines.
private final class RuleInterner {
    /// Equal and hashed by bytes (see ``sameBytes(_:_:)``).
    private struct Key: Hashable {
        let rule: String
        let source: String

        static func == (a: Key, b: Key) -> Bool { sameBytes(a.rule, b.rule) && sameBytes(a.source, b.source) }

        func hash(into hasher: inout Hasher) {
            hashBytes(rule, into: &hasher)
            hashBytes(source, into: &hasher)
        }
    }
    private let db: Database
    private let run: Int64
    private let insert: Statement
    private var ids: [Key: Int64] = [:]
    /// Pairs by the bits of their two strings (``StringBits``), two slots a hash: a run's lines share
    /// a plan's few rule and source strings, so most lookups end at one comparison of four words.
    /// An entry keeps its strings, so no other text can come to have their bits meanwhile.
    private struct Known {
        var rule: StringBits
        var source: StringBits
        var strings: (String, String)
        var id: Int64
    }
    @exclusivity(unchecked) private var known = [Known?](repeating: nil, count: 64)
    /// Which of a pair of slots was filled last (the other is replaced next).
    @exclusivity(unchecked) private var filledLast = [Bool](repeating: false, count: 32)

    init(_ db: Database, run: Int64) throws {
        self.db = db
        self.run = run
        insert = try db.makeStatement(sql: "INSERT INTO trace_rules (run_id, id, rule, source) VALUES (?, ?, ?, ?)")
    }

    func id(rule: String, source: String) throws -> Int64 {
        guard let ruleBits = StringBits(rule), let sourceBits = StringBits(source) else { return try lookUp(rule: rule, source: source) }
        // Two slots per pair of bits: a plan's four or five lines had thrown each other out of a
        // table of single slots.
        let pair = Int(truncatingIfNeeded: (ruleBits.hash &+ sourceBits.hash &* 31) & 31)
        for slot in pair * 2...pair * 2 + 1 {
            if let entry = known[slot], entry.rule == ruleBits, entry.source == sourceBits { return entry.id }
        }
        let id = try lookUp(rule: rule, source: source)
        let slot = pair * 2 + (filledLast[pair] ? 0 : 1)
        filledLast[pair].toggle()
        known[slot] = Known(rule: ruleBits, source: sourceBits, strings: (rule, source), id: id)
        return id
    }

    private func lookUp(rule: String, source: String) throws -> Int64 {
        let key = Key(rule: rule, source: source)
        let id: Int64
        if let known = ids[key] {
            id = known
        } else {
            id = Int64(ids.count)
            ids[key] = id
            let raw = RawRow(insert.sqliteStatement)
            raw.bind(1, run)
            raw.bind(2, id)
            raw.bind(3, rule)
            raw.bind(4, source)
            try raw.step(db, insert)
        }
        return id
    }
}

/// A statement's items as they are read: the rows of one (rep, period, plan) are adjacent in a
/// reader's order, and a run written in parts may hold more than one row for the same statement
/// (the public `record(produce:)` accepts any parts), so items are gathered until the statement
/// changes and put in declaration order then.
private struct StatementRun<Item> {
    var items: [Item] = []
    private var key: (rep: String, period: String, plan: String)? = nil
    /// An item's position in its plan's declaration order.
    let order: (Item) -> Int

    init(order: @escaping (Item) -> Int) { self.order = order }

    /// Begins reading a row of (rep, period, plan): a different statement flushes the previous.
    mutating func start(rep: String, period: String, plan: String, flushingInto output: inout [Item]) {
        if let key, sameBytes(key.rep, rep), sameBytes(key.period, period), sameBytes(key.plan, plan) { return }
        flush(into: &output)
        key = (rep, period, plan)
    }

    /// Appends the gathered items, in order (stable), to `output`.
    mutating func flush(into output: inout [Item]) {
        output.append(contentsOf: stablySorted(items) { order($0) < order($1) })
        items.removeAll(keepingCapacity: true)
    }
}
