"""The program memory: programs that ran and gave verified answers, reused without the LLM.

Planning asks ``lookup(question, image_names)``:

1. mask the question's slot words (template.py) and embed the masked form (MiniLM);
2. take the nearest templates from a FAISS inner-product index;
3. the first one above the similarity threshold whose slots all fill from the question (and whose
   other words are the question's) is instantiated, parsed and checked like any LLM program:
   a confident match, planned with no LLM call;
4. otherwise the nearest instantiable template is returned as a *draft* for the LLM's prompt.

Seeds come from ``prompts/program_examples.jsonl`` (read-only, shipped with the package);
learned entries live in a MemoryStore. An entry is only a program: it passes the same parser,
whitelist and argument checks as an LLM's program, so a poisoned memory can do no more than a
bad plan. Nothing here is ever evaluated.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from agent.errors import VisreasonError
from agent.memory.store import Entry, MemoryCorruptError, MemoryStore, Snapshot
from agent.memory.template import Template, fill, make_template, parse_question

Embed = Callable[[list[str]], np.ndarray]
# Similarity only ranks candidates: a confident match must also fill every slot with the question's
# other words equal to the template's (filler aside), so the threshold guards paraphrase drift only.
# Chosen on tuning data only (easy-VQA train split, dev set): every structural fill there gave the
# reference program, the lowest at similarity 0.70 ("is a circle present?"), so 0.65 leaves a margin.
DEFAULT_THRESHOLD = 0.65


@dataclass(frozen=True)
class Match:
    entry: Entry
    similarity: float
    program: str | None  # the filled program, None when the slots did not fill
    confident: bool

    def describe(self) -> str:
        return f"program from memory: template {self.entry.id}, similarity {self.similarity:.2f}"


def entry_from(question: str, program: str, n_images: int, *, source: str, group: str = "") -> Entry:
    t = make_template(question, program, n_images)
    return Entry(id=t.id, question=t.question, program=t.program, slots=t.slots, forms=t.forms, key=t.key,
                 n_images=n_images, source=source, group=group)


def _template(entry: Entry) -> Template:
    return Template(entry.question, entry.program, entry.slots, entry.forms, entry.key, entry.n_images)


class ProgramMemory:
    """Thread-safe; reloads from disk when another process published a newer version."""

    def __init__(self, store: MemoryStore, seeds: Sequence[Entry], embed: Embed | None, *,
                 check: Callable[[str, list[str]], None] | None = None, threshold: float = DEFAULT_THRESHOLD,
                 k: int = 8) -> None:
        self.store = store
        self.seeds = tuple(seeds)
        self._embed = embed
        self._check = check  # parse + registry check; raises a VisreasonError on a bad program
        self.threshold = threshold
        self.k = k
        self._lock = threading.Lock()
        self._version = -1
        self._entries: tuple[Entry, ...] = ()
        self._index = None
        self._vectors: dict[str, np.ndarray] = {}  # entry id -> embedding, reused across versions
        self.error: MemoryCorruptError | None = None

    # -- contents -------------------------------------------------------------------------
    def entries(self) -> tuple[Entry, ...]:
        self._refresh()
        return self._entries

    def snapshot(self) -> Snapshot:
        return self.store.load()

    def _refresh(self) -> None:
        with self._lock:
            try:
                version = self.store.current_version()
                if version == self._version:
                    return
                snap = self.store.load()
            except MemoryCorruptError as exc:
                self.error = exc
                self._entries, self._index, self._version = (), None, -1
                return
            self.error = None
            by_id: dict[str, Entry] = {}
            for entry in (*self.seeds, *snap.entries):
                if entry.id not in snap.forgotten:
                    by_id.setdefault(entry.id, entry)
            self._entries = tuple(by_id.values())
            self._version = version
            self._index = self._build_index(self._entries)

    def _build_index(self, entries: tuple[Entry, ...]):
        if self._embed is None or not entries:
            return None
        import faiss

        missing = [e for e in entries if e.id not in self._vectors]
        if missing:
            # Embedded exactly as queries are (every slot word masked), so one shape scores ~1.0.
            texts = [parse_question(e.question).embed_text() for e in missing]
            vectors = np.asarray(self._embed(texts), dtype=np.float32)
            for e, v in zip(missing, vectors, strict=True):
                self._vectors[e.id] = v
        matrix = np.stack([self._vectors[e.id] for e in entries]).astype(np.float32)
        index = faiss.IndexFlatIP(matrix.shape[1])
        index.add(matrix)
        return index

    # -- planning -------------------------------------------------------------------------
    def nearest(self, question: str, n_images: int) -> list[tuple[Entry, float]]:
        self._refresh()
        entries, index = self._entries, self._index
        pool = [e for e in entries if e.n_images == n_images]
        if not pool:
            return []
        if index is None:  # no embedder: exact structural matches only, similarity 1.0
            return [(e, 1.0) for e in pool]
        query = np.asarray(self._embed([parse_question(question).embed_text()]), dtype=np.float32)
        k = min(len(entries), max(self.k * 4, self.k))
        sims, ids = index.search(query, k)
        out = [(entries[i], float(s)) for s, i in zip(sims[0], ids[0], strict=True)
               if i >= 0 and entries[i].n_images == n_images]
        return out[:self.k]

    def lookup(self, question: str, image_names: Sequence[str]) -> Match | None:
        """The best template for ``question``: confident (use it as is) or a draft for the LLM."""
        n_images = _n_images(image_names)
        draft: Match | None = None
        best: Match | None = None
        for entry, sim in self.nearest(question, n_images):
            program = fill(_template(entry), question)
            if program is not None and not self._valid(program, image_names):
                program = None
            match = Match(entry, sim, program, confident=program is not None and sim >= self.threshold)
            if match.confident:
                return match
            if program is not None and draft is None:
                draft = match
            best = best or match
        return draft or best

    def _valid(self, program: str, image_names: Sequence[str]) -> bool:
        if self._check is None:
            return True
        try:
            self._check(program, list(image_names))
        except VisreasonError:
            return False
        return True

    # -- learning -------------------------------------------------------------------------
    def learn(self, question: str, program: str, image_names: Sequence[str], *, source: str = "learned",
              group: str = "") -> Entry:
        """Remember a program that answered ``question`` right. Raises a VisreasonError if it is not valid."""
        if self._check is not None:
            self._check(program, list(image_names))
        entry = entry_from(question, program, _n_images(image_names), source=source, group=group)
        if self._check is not None and entry.slots:
            # The abstraction must round-trip: filling it from its own question gives back a valid program.
            again = fill(_template(entry), question)
            if again is None:
                raise MemoryCorruptError(f"cannot reuse this program's template for {question!r}")
            self._check(again, list(image_names))

        def change(snap: Snapshot):
            kept = [e for e in snap.entries if e.id != entry.id]
            return [*kept, entry], snap.forgotten - {entry.id}

        self.store.update(change)
        return entry

    def add_entries(self, entries: Sequence[Entry]) -> int:
        """Import entries (each re-checked); returns how many were new."""
        fresh = []
        for e in entries:
            filled = fill(_template(e), e.question) if e.slots else e.program
            if filled is None:
                raise MemoryCorruptError(f"entry {e.id}: its template does not fill from its own question")
            if self._check is not None:
                self._check(filled, _image_names(e.n_images))
            fresh.append(e)

        def change(snap: Snapshot):
            have = {e.id for e in snap.entries}
            return [*snap.entries, *(e for e in fresh if e.id not in have)], snap.forgotten

        before = len(self.store.load().entries)
        return len(self.store.update(change).entries) - before

    def forget(self, entry_id: str) -> bool:
        known = {e.id for e in self.entries()}
        if entry_id not in known:
            return False

        def change(snap: Snapshot):
            return [e for e in snap.entries if e.id != entry_id], snap.forgotten | {entry_id}

        self.store.update(change)
        return True

    def find(self, entry_id: str) -> Entry | None:
        return next((e for e in self.entries() if e.id == entry_id), None)


def _n_images(image_names: Sequence[str]) -> int:
    numbered = [n for n in image_names if re.fullmatch(r"IMAGE_\d+", n)]
    if numbered:
        return len(numbered)
    return 2 if {"LEFT", "RIGHT"} <= set(image_names) else 1


def _image_names(n_images: int) -> list[str]:
    return ["IMAGE"] if n_images == 1 else ["LEFT", "RIGHT", *[f"IMAGE_{i}" for i in range(n_images)]]


def seed_entries(path: Path | None = None) -> tuple[Entry, ...]:
    from agent.examples import load_all_examples, load_examples

    out = []
    for ex in (load_examples(path) if path else load_all_examples()):
        out.append(entry_from(ex.question, ex.program, len(ex.images), source="seed", group=ex.group))
    return tuple(out)
