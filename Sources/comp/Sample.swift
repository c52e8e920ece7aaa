import ArgumentParser

struct Sample: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Write a deterministic sample data set.")
    func run() throws {}
}
