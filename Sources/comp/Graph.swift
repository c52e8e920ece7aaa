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

    func validate() throws { try refuseEmptyPaths([("the plan file", plan)]) }

    func run() throws {
        let checked = XMLPlans.isXML(plan) ? XMLPlans.check(path: plan) : PlanChecker.check(path: plan)
        guard let model = checked.plan else {
            // A library checks clean but has no plan: say so (it printed only an empty line).
            printError(checked.hasErrors ? checked.rendered() : "\(plan): a library has no plan, so no graph; run comp graph on a plan that uses it")
            throw Exit.dataError
        }
        let graph = PlanGraph(model)
        if dot { writeStandardOutput(graph.dot) } else { print(graph.text, terminator: "") }
    }
}
