import ArgumentParser
import Engine
import PlanLanguage
import PlanXML

struct Graph: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print a plan's evaluation graph: what is computed per transaction, per payee-period and across periods.")

    @Argument(help: "The plan file.")
    var plan: String

    @Flag(name: .long, help: "Graphviz DOT instead of text (comp graph PLAN --dot | dot -Tsvg > graph.svg).")
    var dot = false

    func run() throws {
        let checked = XMLPlans.isXML(plan) ? XMLPlans.check(path: plan) : PlanChecker.check(path: plan)
        guard let model = checked.plan else {
            printError(checked.rendered())
            throw Exit.dataError
        }
        let graph = PlanGraph(model)
        print(dot ? graph.dot : graph.text, terminator: "")
    }
}
