import CompDiagnostics
import Foundation
import Ledger

/// A temporary data directory with the given files, removed when the value is released.
final class DataDirectory {
    let path: String

    init(_ files: [String: String]) throws {
        path = NSTemporaryDirectory() + "comp-ledger-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        for (name, text) in files {
            try Data(text.utf8).write(to: URL(fileURLWithPath: path + "/" + name))
        }
    }

    init(bytes files: [String: [UInt8]]) throws {
        path = NSTemporaryDirectory() + "comp-ledger-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        for (name, bytes) in files {
            try Data(bytes).write(to: URL(fileURLWithPath: path + "/" + name))
        }
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// Loads the directory and returns the diagnostics with the directory prefix removed.
    func load(_ options: LedgerLoadOptions = LedgerLoadOptions(threads: 2)) -> (LedgerLoad, [String]) {
        let load = LedgerLoader.load(directory: path, options: options)
        let lines = load.diagnostics.map { $0.description.replacingOccurrences(of: path + "/", with: "") }
        return (load, lines)
    }
}

/// A minimal valid data set; tests replace one file to provoke one problem.
enum Minimal {
    static let roster = """
        rep,name,manager,plan,start,end,currency,target_incentive
        M1,Mia Manager,,MGR,2026-01-01,,USD,50000
        R1,"Rossi, Nils",M1,AE-STD,2026-01-01,,USD,24000.00
        R2,Ana Silva,M1,AE-STD,2026-01-01,2027-06-30,USD,
        R2,Ana Silva,M1,AE-STD,2027-07-01,,USD,30000

        """
    static let transactions = """
        id,date,rep,amount,currency,product,kind,quantity,region,reverses
        T1,2027-01-05,R1,1000.50,USD,WIDGET-X,new,2,NA,
        T2,2027-01-06,R2,200,EUR,GADGET-S,renewal,1,EMEA,
        T3,2027-02-01,R1,-1000.50,USD,WIDGET-X,new,-2,NA,T1

        """
    static let quotas = """
        rep,period,amount
        R1,2027-01,10000
        R1,2027-Q1,30000
        R2,2027,120000

        """
    static let fx = """
        currency,period,rate
        EUR,2027-01,1.083689

        """
    static let splits = """
        txn,rep,share
        T2,R1,0.5
        T2,R2,0.5

        """

    static var files: [String: String] {
        ["roster.csv": roster, "transactions.csv": transactions, "quotas.csv": quotas, "fx.csv": fx, "splits.csv": splits]
    }

    /// The minimal files with `text` as the ledger and no splits.csv (it names T2 of the minimal ledger).
    static func ledgerOnly(_ text: String) -> [String: String] {
        var files = with("transactions.csv", text)
        files["splits.csv"] = nil
        return files
    }

    static func with(_ name: String, _ text: String) -> [String: String] {
        var files = files
        files[name] = text
        return files
    }
}

/// The package root (for `Tests/ReferenceData`).
let packageRoot: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.path
}()

let sharedData = packageRoot + "/Tests/ReferenceData"
