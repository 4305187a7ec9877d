"""Two-hop questions answered from a knowledge base: rules search, the LLM reads.

    identify -> search -> read -> finish            (the usual path: one LLM call)
                  ^        |
                  +--------+ next identification candidate, when the reader found nothing
                           |
                        decide -> retrieve -> read  (only when the rules have run out of queries)

* **identify** (no LLM): the vision tools name the photo's thing (``retrieval.identify``: detector
  label and hypernyms, colour, OCR text on it, the classifier only where those are silent), and
  the photo is searched against the KB's photos (``retrieval.grounding``); a confident match is the
  first candidate and brings in its linked documents.
* **search** (no LLM): the candidate's words plus the question's words are the query. Documents
  that do not name the candidate are dropped ("nothing relevant": the next candidate is tried);
  near-misses are ranked down by the candidate's own words (``retrieval.spans.rank``). The top
  document's sentence about the thing names the entity asked about (a company, a person); a second
  search with those names fetches the facts about it. This is the sub-question split, done by rule.
* **read** (LLM, the one call most questions need): the answer copied from one document. It only
  counts when ``retrieval.spans.ground`` finds it verbatim in a retrieved sentence that is about the
  question; the answer is then that exact span, cited with its document and line.
* **decide** (LLM, fallback): one of the fixed actions (``retrieval.actions``) with a query it writes.
* **finish** (no LLM): the answer and an explanation from the span and the identification. Every
  LLM call is started only while the question's time budget can still pay for it; when time or
  turns run out the answer is an honest partial one (``partial=True``).

Retrieved text is data: it reaches the LLM only inside ``<<<DOC ...>>>`` blocks, and nothing it
says can add actions, calls or answers that are not spans of a relevant sentence.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypedDict

from langgraph.graph import END, START, StateGraph
from PIL import Image

from agent.errors import LLMError
from agent.events import Event, Retrieval, RetrievedItem
from agent.llm.base import LLM
from retrieval import prompts
from retrieval.action_handlers import Locate
from retrieval.actions import (
    DECISION_SCHEMA,
    READ_SCHEMA,
    Box,
    execute,
    format_items,
    parse_decision,
    parse_read,
)
from retrieval.grounding import linked_documents, match_photo, photo_candidate
from retrieval.identify import Candidate, Percept, candidates, perceive, percept_from_facts
from retrieval.spans import Span, best_sentence, ground, rank, typed_guess
from retrieval.types import Hit, RetrievalResult, SearchableKB
from retrieval.words import content_words, names_in, sentences, stems

if TYPE_CHECKING:
    from agent.config import Config

_UNKNOWN = re.compile(r"\bunknown\b|\bnot sure\b|\bnot (?:mentioned|stated|specified|provided|given|known)\b|"
                      r"\bno (?:information|mention)\b|\bcannot be determined\b|\bdo(?:es)? not (?:say|tell|mention)\b",
                      re.IGNORECASE)
DEFAULT_SECONDS = 60.0  # per question; "within a minute"
CALL_FLOOR_SECONDS = 4.0  # an LLM call is started only if at least this much (or the longest call so far) is left
MAX_READS = 3
MAX_DOCS = 5
RELATIVE_SCORE_CUTOFF = 0.6  # LLM-chosen searches: hits under this fraction of the best are dropped


class LoopState(TypedDict, total=False):
    question: str
    image_facts: str
    candidates: list[Candidate]
    current: int  # index of the candidate being searched
    photo: dict | None  # the image search's best match (confident or not)
    docs: list[dict]  # the documents the next read sees
    reading_for: Candidate | None
    evidence: dict[str, dict]  # item id -> Hit.to_dict(), everything retrieved
    turns: list[dict]
    retrieval_calls: int
    reads: int
    span: dict | None
    reader_answers: list[str]
    stopped_by: str


def says_unknown(answer: str) -> bool:
    """Whether a reader's free-text reply admits it found nothing ("not mentioned", "the documents do not say").

    Not ``agent.values.is_unknown``, which judges a tool's typed result (None, an empty detection with notes,
    the word 'unknown'): an LLM's prose needs the phrase patterns, a tool value must not be searched for them."""
    return not answer.strip() or bool(_UNKNOWN.search(answer))


def citation(hit: dict, span: Span | None = None) -> dict:
    out = {"id": hit["id"], "source": hit["source"], "modality": hit["modality"], "snippet": hit["snippet"],
           "thumbnail_path": hit.get("thumbnail_path"), "score": hit["score"]}
    if span is not None:
        out.update(line=span.line, quote=span.quote, span=span.text)
    return out


def _hits(dicts: list[dict]) -> list[Hit]:
    return [Hit(**{k: v for k, v in h.items() if k != "snippet"}) for h in dicts]


def _kept(hits: list[Hit]) -> list[Hit]:
    best = max((h.score for h in hits), default=0.0)
    return [h for h in hits if best <= 0 or h.score >= RELATIVE_SCORE_CUTOFF * best]


def query_for(question: str, cand: Candidate | None) -> str:
    words = " ".join(content_words(question))
    if cand is None:
        return question
    head = " ".join(cand.keywords) if cand.source == "photo" else cand.name
    return f"{head} {words}".strip()


def entity_names(ranked: list[Hit], cand: Candidate, question: str, limit: int = 2) -> list[str]:
    """Names in the top documents' sentences about the candidate, other than its own and the question's words."""
    known = set(stems(question)) | {w for k in cand.keywords for w in stems(k)}
    out: list[str] = []
    for hit in ranked[:2]:
        about = [s for s in sentences(hit.text) if any(set(stems(k)) <= set(stems(s)) for k in cand.keywords)]
        for sentence in about[:2]:
            for name in names_in(sentence):
                if not set(stems(name)) <= known and name not in out:
                    out.append(name)
    return out[:limit]


def build_retrieval_graph(kb: SearchableKB, llm: LLM, *, image: Image.Image | None = None,
                          perceiver: Callable[[Image.Image], Percept] | None = None,
                          max_turns: int = 5, k: int = 4, time_limit: float = DEFAULT_SECONDS,
                          locate: Locate | None = None, on_event: Callable[[Event], None] | None = None,
                          clock: Callable[[], float] = time.monotonic, stats: dict | None = None):
    # The KB loop's own LangGraph (named apart from agent.graph.build_graph, the controller's graph).
    has_image = image is not None
    deadline = clock() + time_limit
    calls: dict[str, Any] = stats if stats is not None else {}
    calls.update(n=0, seconds=[], stopped_for_time=False)

    def can_call() -> bool:
        needed = max([CALL_FLOOR_SECONDS, *calls["seconds"]])
        if deadline - clock() < needed:
            calls["stopped_for_time"] = True
            return False
        return True

    def ask(user: str, schema: dict, max_tokens: int) -> str:
        t0 = clock()
        calls["n"] += 1
        try:
            text = llm.chat([{"role": "system", "content": prompts.SYSTEM}, {"role": "user", "content": user}],
                            json_schema=schema, max_tokens=max_tokens).text
        except LLMError:
            text = ""  # every caller has a safe fallback for an empty reply
        calls["seconds"].append(clock() - t0)
        return text

    def turn(state: LoopState, action: str, query: str, items: list[Hit], answer: str, *, by: str = "rule",
             cites: list[str] | None = None, focus: str = "") -> dict:
        record = {"turn": len(state["turns"]) + len(new_turns(state)) + 1, "sub_question": state["question"],
                  "action": action, "query": query, "focus": focus, "answer": answer, "cites": cites or [],
                  "items": [h.id for h in items], "by": by}
        if on_event is not None:
            on_event(Retrieval(record["turn"], action, query, tuple(RetrievedItem.from_dict(citation(h.to_dict()))
                                                                    for h in items), answer, by))
        state.setdefault("_new", []).append(record)
        return record

    def new_turns(state: LoopState) -> list[dict]:
        return state.get("_new", [])

    def commit(state: LoopState, **update) -> dict:
        """The node's state update: its new turns appended, the scratch list cleared."""
        return {"turns": state["turns"] + state.pop("_new", []), **update}

    def remember(state: LoopState, hits: list[Hit]) -> dict[str, dict]:
        return {**state["evidence"], **{h.id: h.to_dict() for h in hits}}

    # -- nodes -------------------------------------------------------------------------------------
    def identify(state: LoopState) -> dict:
        percept = perceiver(image) if (has_image and perceiver is not None) else percept_from_facts(state["image_facts"])
        cands = candidates(state["question"], percept)
        evidence, photo, calls_made = dict(state["evidence"]), None, 0
        if has_image:
            crops = [(c.name.split("'")[0].strip() or "object", c.box) for c in cands if c.box is not None]
            match, searches = match_photo(kb, image, crops)
            calls_made += len(searches)
            if match is not None:
                photo = match.to_dict()
                items = [match.hit]
                if match.confident:
                    first = photo_candidate(match)
                    linked = linked_documents(kb, first)
                    first = Candidate(first.name, first.keywords, first.qualifiers, first.source, first.evidence,
                                      None, tuple(h.id for h in linked))
                    cands = [first] + cands
                    items += linked
                    calls_made += 1
                evidence.update({h.id: h.to_dict() for h in items})
                verdict = "confident match" if match.confident else "no confident match"
                turn(state, "image_search", match.searched, items,
                     f"{verdict}: {Path(match.hit.source).name} (similarity {match.hit.score:.2f}, "
                     f"{match.margin:.2f} ahead)", focus=match.searched.removeprefix("crop of the "))
        return commit(state, candidates=cands, photo=photo, evidence=evidence,
                      retrieval_calls=state["retrieval_calls"] + calls_made)

    def search(state: LoopState) -> dict:
        cands, question = state["candidates"], state["question"]
        evidence, n_calls = dict(state["evidence"]), state["retrieval_calls"]
        for i in range(state["current"], len(cands)):
            cand = cands[i]
            query = query_for(question, cand)
            hits = [h for h in kb.search_text(query, 2 * k) if h.modality == "text"]
            n_calls += 1
            linked = [Hit(**{x: v for x, v in evidence[j].items() if x != "snippet"}) for j in cand.linked if j in evidence]
            pool = {h.id: h for h in hits + linked}
            ranked = [h for h, _ in rank(list(pool.values()), cand)]
            evidence.update({h.id: h.to_dict() for h in ranked})
            found = f"documents naming it: {', '.join(h.id for h in ranked[:3])}" if ranked else "no document names it"
            turn(state, "text_search", query, ranked[:3] or hits[:2], f"{cand.name}: {found}")
            if not ranked or len(state["turns"]) + len(new_turns(state)) >= max_turns + 1:
                if ranked:
                    return commit(state, current=i, docs=[h.to_dict() for h in ranked[:MAX_DOCS]], reading_for=cand,
                                  evidence=evidence, retrieval_calls=n_calls)
                continue
            docs = ranked[:3]
            names = entity_names(ranked, cand, question)
            if names:
                second = f"{' '.join(names)} {' '.join(content_words(question))}"
                more = [h for h in kb.search_text(second, 2 * k) if h.modality == "text"]
                n_calls += 1
                named = Candidate(" ".join(names), tuple(names))
                extra = [h for h, _ in rank(more, named) if h.id not in {d.id for d in docs}][:2]
                evidence.update({h.id: h.to_dict() for h in extra})
                turn(state, "text_search", second, extra,
                     f"the top document names {', '.join(names)}: " + (", ".join(h.id for h in extra) or "nothing more"))
                docs += extra
            return commit(state, current=i, docs=[h.to_dict() for h in docs[:MAX_DOCS]], reading_for=cand,
                          evidence=evidence, retrieval_calls=n_calls)
        if not any(t["query"] == question for t in state["turns"] + new_turns(state)):
            hits = _kept([h for h in kb.search_text(question, k) if h.modality == "text"])
            evidence.update({h.id: h.to_dict() for h in hits})
            turn(state, "text_search", question, hits, "no identification matched; searched with the question alone")
            return commit(state, current=len(cands), docs=[h.to_dict() for h in hits], reading_for=None,
                          evidence=evidence, retrieval_calls=n_calls + 1)
        return commit(state, current=len(cands), docs=[], evidence=evidence, retrieval_calls=n_calls)

    def read(state: LoopState) -> dict:
        if state["reads"] >= MAX_READS or not can_call():
            return commit(state, docs=[], stopped_by="time" if calls["stopped_for_time"] else "budget")
        docs = _hits(state["docs"])
        cand = state.get("reading_for")
        identified = f"{cand.name} ({cand.evidence})" if cand is not None else ""
        reply = ask(prompts.read(state["question"], state["image_facts"], identified, format_items(docs)),
                    READ_SCHEMA, 48)
        answer, cited = parse_read(reply)
        span = None if says_unknown(answer) else ground(answer, docs, question=state["question"], cited=cited, cand=cand)
        verdict = (f"{span.text} ({Path(span.source).name}" + (f" line {span.line})" if span.line else ")")) if span \
            else (f"{answer or 'unknown'} (not found in a relevant sentence of the documents)" if not says_unknown(answer)
                  else "unknown")
        turn(state, "read", state["question"], docs, verdict, by="llm", cites=[span.item_id] if span else [])
        return commit(state, docs=[], reads=state["reads"] + 1, span=span.to_dict() if span else None,
                      reader_answers=state["reader_answers"] + [answer])

    def decide(state: LoopState) -> dict:
        if not can_call():
            return commit(state, stopped_by="time")
        tried = [t for t in state["turns"] if t["action"] != "read"]
        reads = [t for t in state["turns"] if t["action"] == "read"]
        shown = [{**t, "answer": next((r["answer"] for r in reads if r["turn"] > t["turn"]), "")} for t in tried]
        user = prompts.decide(state["question"], state["image_facts"], shown, has_image=has_image,
                              turn=len(state["turns"]) + 1, max_turns=max_turns + 1)
        d = parse_decision(ask(user, DECISION_SCHEMA, 80), state["question"], has_image=has_image)
        if d.sufficient or d.action == "no_retrieval":
            return commit(state, stopped_by="sufficient")
        hits = _kept(execute(d, kb, image, k, locate))
        n = state["retrieval_calls"] + 1
        turn(state, d.action, d.query, hits, f"{len(hits)} item(s)", by="llm", focus=d.focus)
        return commit(state, docs=[h.to_dict() for h in hits if h.modality == "text"] or [h.to_dict() for h in hits],
                      reading_for=None, evidence=remember(state, hits), retrieval_calls=n)

    # -- routing -----------------------------------------------------------------------------------
    def budget_left(state: LoopState) -> bool:
        return len(state["turns"]) < max_turns + 1 and state["reads"] < MAX_READS and not calls["stopped_for_time"]

    def after_search(state: LoopState) -> Literal["read", "decide", "finish"]:
        if state["docs"]:
            return "read"
        return "decide" if budget_left(state) else "finish"

    def after_read(state: LoopState) -> Literal["search", "decide", "finish"]:
        if state.get("span") or state.get("stopped_by") or not budget_left(state):
            return "finish"
        if state["current"] + 1 < len(state["candidates"]):
            return "search"
        return "decide"

    def next_candidate(state: LoopState) -> dict:
        return {"current": state["current"] + 1}

    def after_decide(state: LoopState) -> Literal["read", "finish"]:
        return "read" if state.get("docs") and not state.get("stopped_by") else "finish"

    graph = StateGraph(LoopState)
    for name, fn in (("identify", identify), ("search", search), ("read", read), ("next", next_candidate),
                     ("decide", decide), ("finish", lambda state: {})):
        graph.add_node(name, fn)
    graph.add_edge(START, "identify")
    graph.add_edge("identify", "search")
    graph.add_conditional_edges("search", after_search)
    graph.add_conditional_edges("read", lambda s: "next" if after_read(s) == "search" else after_read(s))
    graph.add_edge("next", "search")
    graph.add_conditional_edges("decide", after_decide)
    graph.add_edge("finish", END)
    return graph.compile()


def finish(final: LoopState, calls: dict, time_limit: float) -> RetrievalResult:
    """The answer, its explanation and citations, from the grounded span or, failing that, an honest partial."""
    cands = final["candidates"]
    evidence = final["evidence"]
    span = Span(**final["span"]) if final.get("span") else None
    cand = final.get("reading_for") if span else (cands[0] if cands else None)
    shows = f"The photo shows {cand.name} ({cand.evidence}). " if cand is not None else ""
    stopped = final.get("stopped_by") or ("time" if calls["stopped_for_time"] else "complete" if span else "exhausted")
    common = {"retrieval_calls": final["retrieval_calls"], "turns": len(final["turns"]), "sub_answers": final["turns"],
              "llm_calls": calls["n"], "identification": [c.to_dict() for c in cands], "photo_match": final.get("photo")}
    if span is not None:
        where = f"{Path(span.source).name}" + (f" line {span.line}" if span.line else "")
        cites = [citation(evidence[span.item_id], span)]
        if cand is not None and cand.source == "photo" and final.get("photo"):
            photo_id = final["photo"]["id"]
            cites += [citation(evidence[photo_id])] if photo_id in evidence else []
        return RetrievalResult(span.text, f'{shows}{where}: "{span.quote}"', citations=cites,
                               stopped_by="complete", span=span.to_dict(), **common)
    docs = _hits([evidence[i] for t in final["turns"] for i in t["items"] if i in evidence])
    docs = [d for d in docs if d.modality == "text"]
    guess = best_sentence(docs, final["question"], cand)
    value = typed_guess(final["question"], guess[1]) if guess else None
    reason = {"time": f"the time limit ({time_limit:.0f} s) was reached", "budget": "the turn budget ran out",
              "sufficient": "the decision maker stopped", "exhausted": "no document named what the photo shows"}.get(
                  stopped, stopped)
    if guess is not None and value is not None:
        hit, sentence = guess
        explanation = (f"Partial answer: {reason} before the reader confirmed it. {shows}The closest sentence, in "
                       f'{Path(hit.source).name}, says: "{sentence}"')
        return RetrievalResult(value, explanation, citations=[citation(hit.to_dict())], stopped_by=stopped,
                               partial=True, **common)
    tried = ", ".join(sorted({Path(d.source).name for d in docs})) or "nothing relevant"
    return RetrievalResult("unknown", f"Partial answer: {reason}. {shows}Documents consulted: {tried}.",
                           stopped_by=stopped, partial=True, **common)


def detector_locate(config: Config) -> Locate:
    """``locate`` backed by the configured detector: the largest box whose label matches."""

    def locate(image: Image.Image, label: str) -> Box | None:
        from tools.models import ModelHub

        box = ModelHub.shared(config).detector().detect(image).largest(label)
        return None if box is None else tuple(float(v) for v in box)

    return locate


def tool_perceiver(config: Config) -> Callable[[Image.Image], Percept]:
    """``perceiver`` backed by the configured vision tools (detector, OCR, classifier, colours)."""

    def run(image: Image.Image) -> Percept:
        from tools.models import ModelHub

        return perceive(image, ModelHub.shared(config))

    return run


def adaptive_search(question: str, kb: SearchableKB, llm: LLM, *, image: Image.Image | None = None, image_facts: str = "",
                    max_turns: int | None = None, on_event: Callable[[Event], None] | None = None,
                    k: int = 4, locate: Locate | None = None,
                    perceiver: Callable[[Image.Image], Percept] | None = None, time_limit: float = DEFAULT_SECONDS,
                    clock: Callable[[], float] = time.monotonic) -> RetrievalResult:
    """Answer ``question`` from ``kb`` (see the module docstring). ``time_limit`` bounds the question in seconds."""
    config = getattr(kb, "config", None)
    if max_turns is None:
        max_turns = config.budgets.max_turns if config is not None else 5
    if image is not None:
        from agent.images import load_image

        image = load_image(image)
        if config is not None:
            locate = locate or detector_locate(config)
            perceiver = perceiver or tool_perceiver(config)
    started = clock()
    stats: dict = {}
    graph = build_retrieval_graph(kb, llm, image=image, perceiver=perceiver, max_turns=max_turns, k=k, time_limit=time_limit,
                        locate=locate, on_event=on_event, clock=clock, stats=stats)
    state: LoopState = {"question": question, "image_facts": image_facts, "candidates": [], "current": 0, "photo": None,
                        "docs": [], "reading_for": None, "evidence": {}, "turns": [], "retrieval_calls": 0, "reads": 0,
                        "span": None, "reader_answers": [], "stopped_by": ""}
    final = graph.invoke(state, {"recursion_limit": 8 * max_turns + 20})
    result = finish(final, stats, time_limit)
    result.seconds = round(clock() - started, 2)
    return result
