"""The controller: a LangGraph StateGraph.

    plan -> execute -(error)-> repair -> execute ... -(2 failures)-> fallback -> execute
                    -(ok)---> decide -(enough)-> refine -> END
                                     -(more)--> subquestions | retrieve -> decide
"""

from __future__ import annotations

from langgraph.graph import END, START, StateGraph

from agent.deps import Deps
from agent.nodes_decide import make_decide, make_retrieve, make_subquestions, route_after_decide
from agent.nodes_program import make_execute, make_fallback, make_plan, make_repair, route_after_execute
from agent.nodes_refine import make_refine
from agent.state import AgentState


def build_graph(deps: Deps):
    graph = StateGraph(AgentState)
    graph.add_node("plan", make_plan(deps))
    graph.add_node("execute", make_execute(deps))
    graph.add_node("repair", make_repair(deps))
    graph.add_node("fallback", make_fallback(deps))
    graph.add_node("decide", make_decide(deps))
    graph.add_node("subquestions", make_subquestions(deps))
    graph.add_node("retrieve", make_retrieve(deps))
    graph.add_node("refine", make_refine(deps))

    graph.add_edge(START, "plan")
    graph.add_edge("plan", "execute")
    graph.add_conditional_edges("execute", route_after_execute(deps))
    graph.add_edge("repair", "execute")
    graph.add_edge("fallback", "execute")
    graph.add_conditional_edges("decide", route_after_decide)
    graph.add_edge("subquestions", "decide")
    graph.add_edge("retrieve", "decide")
    graph.add_edge("refine", END)
    return graph.compile()
