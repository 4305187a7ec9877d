"""A lean embedded llama.cpp runtime: one copy of the weights, one context, several KV sequences.

Where the memory goes (Qwen2.5-Coder-1.5B Q4_K_M, 2-core AVX2 machine):

* weights: read into RAM once (``mmap=False``). With mmap, llama.cpp still repacks most Q4_K
  tensors into a private buffer for AVX2 kernels, so the process held both the mapped file and the
  repacked copy (~1.7 GB); reading the file instead holds ~1.1 GB. Every sequence shares them.
* one context whose KV cache has ``n_seq`` separate streams of ``n_ctx`` cells (one per
  sequence), so each sequence attends only to its own cells;
* logits for the last prompt token and each generated token only; no per-context score matrix.

A call is routed to the sequence whose cached tokens share the longest prefix with its prompt;
otherwise the least recently used one is reused. The prompt prefix before the last user turn (the
system prompt and few-shot examples) is saved to disk once (``kv_store.PrefixStore``) and loaded
by later processes instead of being evaluated again.

Decoding with a grammar: ``lazy`` samples from the raw logits and checks that one token against the
grammar, applying the grammar to the whole vocabulary only when the token breaks it (the same
output as ``full``, which masks every token at every step); ``none`` ignores the grammar.
"""

from __future__ import annotations

import ctypes
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from agent.errors import LLMError, ModelUnavailableError
from agent.llm.kv_store import PrefixStore, model_key

GRAMMAR_MODES = ("lazy", "full", "none")


@dataclass(frozen=True)
class RuntimeSettings:
    path: str
    n_ctx: int = 4096  # cells per sequence: the longest prompt plus its reply
    n_seq: int = 3  # KV sequences kept warm (planner families, decide/refine)
    n_threads: int = 2
    n_batch: int = 512
    n_ubatch: int = 512
    mmap: bool = False
    kv_dir: str = ""  # "" = no prefix states on disk
    min_prefix: int = 64  # shorter prefixes are cheaper to evaluate than to save and load


@dataclass
class Generation:
    text: str
    tokens: list[int]
    prompt_tokens: int
    evaluated: int  # prompt tokens actually run through the model (the rest came from a cache)
    source: str  # where the reused part came from: "memory", "disk", "copy" or "none"
    full_grammar_steps: int = 0  # steps where the grammar was applied to the whole vocabulary
    seconds: float = 0.0
    prompt_seconds: float = 0.0
    stopped: str = ""  # "deadline" when the deadline cut generation short


@dataclass
class _Seq:
    id: int
    tokens: list[int] = field(default_factory=list)
    stamp: int = 0


def _lcp(a: list[int], b: list[int]) -> int:
    n = min(len(a), len(b))
    i = 0
    while i < n and a[i] == b[i]:
        i += 1
    return i


class LlamaRuntime:
    """The model and its context; every public method takes ``self.lock`` (contexts are not thread-safe)."""

    def __init__(self, settings: RuntimeSettings) -> None:
        import llama_cpp
        from llama_cpp import _internals
        from llama_cpp._logger import set_verbose

        set_verbose(False)
        self.settings = s = settings
        self.lock = threading.RLock()
        self._ll = llama_cpp
        mp = llama_cpp.llama_model_default_params()
        mp.load_mode = llama_cpp.LLAMA_LOAD_MODE_MMAP if s.mmap else llama_cpp.LLAMA_LOAD_MODE_NONE
        try:
            self.model = _internals.LlamaModel(path_model=s.path, params=mp, verbose=False)
            cp = llama_cpp.llama_context_default_params()
            cp.n_ctx, cp.n_seq_max, cp.kv_unified = s.n_ctx * s.n_seq, s.n_seq, False
            cp.n_batch, cp.n_ubatch = min(s.n_batch, s.n_ctx), min(s.n_ubatch, s.n_batch, s.n_ctx)
            cp.n_threads = cp.n_threads_batch = s.n_threads
            cp.no_perf = True
            self.ctx = _internals.LlamaContext(model=self.model, params=cp, verbose=False)
        except (ValueError, RuntimeError) as exc:
            raise ModelUnavailableError(f"llama.cpp could not load {s.path}: {exc}",
                                        hint="check the file with `visreason models verify`") from None
        self.vocab = self.model.vocab
        self.n_vocab = llama_cpp.llama_vocab_n_tokens(self.vocab)
        self.n_batch = int(cp.n_batch)
        self._batch = _internals.LlamaBatch(n_tokens=self.n_batch, embd=0, n_seq_max=1, verbose=False)
        self._seqs = [_Seq(i) for i in range(s.n_seq)]
        self.busy: set[int] = set()  # sequences generating for llama_batch: not to be claimed by another prompt
        self._clock = 0
        self._grammars: dict[str, object] = {}  # GBNF text -> llama_sampler (validated)
        self._cand = np.zeros(self.n_vocab, dtype=np.dtype([("id", np.intc), ("logit", np.single),
                                                             ("p", np.single)], align=True))
        self._cand_arr = llama_cpp.llama_token_data_array(
            data=self._cand.ctypes.data_as(llama_cpp.llama_token_data_p), size=self.n_vocab, selected=-1,
            sorted=False)
        self._ids = np.arange(self.n_vocab, dtype=np.intc)
        self._one = (llama_cpp.llama_token_data * 1)()
        self._one_arr = llama_cpp.llama_token_data_array(data=self._one, size=1, selected=-1, sorted=False)
        self._pieces: dict[int, bytes] = {}
        self.store = PrefixStore(s.kv_dir, model_key(s.path, cp.type_k, cp.type_v)) if s.kv_dir else None
        self._formatter = self._chat_formatter()

    # -- text <-> tokens ------------------------------------------------------------------
    def _chat_formatter(self):
        from llama_cpp.llama_chat_format import CHATML_CHAT_TEMPLATE, Jinja2ChatFormatter

        meta = self.model.metadata()
        template = meta.get("tokenizer.chat_template") or CHATML_CHAT_TEMPLATE
        eos, bos = self.model.token_eos(), self.model.token_bos()
        text = self._piece_text
        return (Jinja2ChatFormatter(template=template, eos_token=text(eos), bos_token=text(bos)),
                Jinja2ChatFormatter(template=template, eos_token=text(eos), bos_token=text(bos),
                                    add_generation_prompt=False))

    def _piece_text(self, token: int) -> str:
        return self._piece(token, special=True).decode("utf-8", errors="ignore") if token >= 0 else ""

    def _piece(self, token: int, special: bool = False) -> bytes:
        key = token if not special else -1 - token
        cached = self._pieces.get(key)
        if cached is None:
            buf = ctypes.create_string_buffer(64)
            n = self._ll.llama_token_to_piece(self.vocab, token, buf, 64, 0, special)
            cached = bytes(buf[:max(0, n)])
            self._pieces[key] = cached
        return cached

    def tokenize(self, text: str) -> list[int]:
        return self.model.tokenize(text.encode("utf-8"), False, True)

    def render(self, messages: list[dict]) -> tuple[list[int], int]:
        """Prompt tokens in the model's chat template, and the length of the reusable prefix
        (everything before the last user turn: system prompt and few-shot examples)."""
        full_fmt, prefix_fmt = self._formatter
        try:
            prompt = full_fmt(messages=messages).prompt
            head = prefix_fmt(messages=messages[:-1]).prompt if len(messages) > 1 else ""
        except Exception as exc:  # jinja raises many kinds; a template error is the caller's bad messages
            raise LLMError(f"cannot format the chat messages: {exc}") from None
        tokens = self.tokenize(prompt)
        if not head or not prompt.startswith(head):
            return tokens, 0
        return tokens, _lcp(self.tokenize(head), tokens)

    # -- grammars ---------------------------------------------------------------------------
    def grammar(self, text: str):
        """A llama.cpp grammar sampler for GBNF ``text`` (parsed once, reset per use)."""
        sampler = self._grammars.get(text)
        if sampler is None:
            sampler = self._ll.llama_sampler_init_grammar(self.vocab, text.encode("utf-8"), b"root")
            if not sampler:
                raise LLMError("invalid GBNF grammar (llama.cpp could not parse it; rule 'root' is required)")
            self._grammars[text] = sampler
        return sampler

    def close(self) -> None:
        with self.lock:
            for sampler in self._grammars.values():
                self._ll.llama_sampler_free(sampler)
            self._grammars.clear()
            self._batch.close()
            self.ctx.close()
            self.model.close()

    # -- sequences --------------------------------------------------------------------------
    def _claim(self, tokens: list[int], prefix_len: int) -> tuple[_Seq, int, str]:
        """The sequence to run ``tokens`` in, how many of its cached tokens stay, and their source.

        Sequences in ``self.busy`` (generating for ``llama_batch``) are never claimed, only copied from."""
        mem = self.ctx.memory
        free = [q for q in self._seqs if q.id not in self.busy]
        if not free:
            raise LLMError("every KV sequence is busy generating", hint="raise llm.sequences")
        lru = min(free, key=lambda q: q.stamp)
        best, best_n = lru, _lcp(lru.tokens, tokens)
        for seq in free:
            n = _lcp(seq.tokens, tokens)
            if n > best_n or (n == best_n and seq.stamp < best.stamp):
                best, best_n = seq, n
        src, src_n = best, best_n  # the copy source may be a busy sequence: its prompt is all that is kept
        for seq in self._seqs:
            if seq.id in self.busy and (n := _lcp(seq.tokens, tokens)) > src_n:
                src, src_n = seq, n
        # Reuse a sequence that already holds the whole prefix, unless it shares only a few tokens
        # (a chat header) with this prompt and belongs to another family.
        if best_n >= max(prefix_len, 1) and (best is lru or best_n >= self.settings.min_prefix):
            return best, best_n, "memory"
        if (self.store is not None and prefix_len >= self.settings.min_prefix
                and self.store.has(tokens[:prefix_len])):
            self._ll.llama_memory_seq_rm(mem, lru.id, -1, -1)
            lru.tokens = []
            if self.store.load(self.ctx.ctx, mem, lru.id, tokens[:prefix_len]):
                lru.tokens = list(tokens[:prefix_len])
                return lru, prefix_len, "disk"
        if src is not lru and src_n >= self.settings.min_prefix:
            # A different stream: llama.cpp copies the whole stream, then the tail is dropped.
            self._ll.llama_memory_seq_rm(mem, lru.id, -1, -1)
            self._ll.llama_memory_seq_cp(mem, src.id, lru.id, -1, -1)
            lru.tokens = list(src.tokens)
            return lru, src_n, "copy"
        return lru, _lcp(lru.tokens, tokens), "memory" if lru.tokens else "none"

    def _decode(self, seq: _Seq, tokens: list[int], logits_last: bool) -> None:
        b = self._batch.batch
        for start in range(0, len(tokens), self.n_batch):
            chunk = tokens[start:start + self.n_batch]
            pos = len(seq.tokens)
            b.n_tokens = len(chunk)
            for j, tok in enumerate(chunk):
                b.token[j], b.pos[j], b.n_seq_id[j], b.logits[j] = tok, pos + j, 1, False
                b.seq_id[j][0] = seq.id
            b.logits[len(chunk) - 1] = logits_last and start + len(chunk) == len(tokens)
            rc = self._ll.llama_decode(self.ctx.ctx, b)
            if rc != 0:
                self._ll.llama_memory_seq_rm(self.ctx.memory, seq.id, -1, -1)
                seq.tokens = []
                raise LLMError(f"llama.cpp decode failed (code {rc})", hint="llm.n_ctx may be too small")
            seq.tokens.extend(chunk)

    def prefill(self, tokens: list[int], prefix_len: int) -> str:
        """Make sure the prefix is cached (in a sequence, and on disk when a store is set); returns its source."""
        with self.lock:
            return self._prepare(tokens[:prefix_len + 1], prefix_len)[1]

    def _prepare(self, tokens: list[int], prefix_len: int) -> tuple[_Seq, str, int]:
        seq, keep, source = self._claim(tokens, prefix_len)
        keep = min(keep, len(tokens) - 1)  # the last prompt token is always run, for its logits
        self._ll.llama_memory_seq_rm(self.ctx.memory, seq.id, keep, -1)
        del seq.tokens[keep:]
        evaluated = len(tokens) - keep
        if (self.store is not None and prefix_len >= self.settings.min_prefix and keep < prefix_len
                and not self.store.has(tokens[:prefix_len])):
            self._decode(seq, tokens[keep:prefix_len], logits_last=False)
            self.store.save(self.ctx.ctx, seq.id, tokens[:prefix_len])
            keep = prefix_len
        self._decode(seq, tokens[keep:], logits_last=True)
        self._clock += 1
        seq.stamp = self._clock
        return seq, source, evaluated

    # -- generation -------------------------------------------------------------------------
    def generate(self, tokens: list[int], prefix_len: int = 0, *, grammar: str | None = None,
                 grammar_mode: str = "lazy", max_tokens: int = 256, stop: list[str] | None = None,
                 temperature: float = 0.0, seed: int = 1234, deadline: float | None = None,
                 on_token: Callable[[str], None] | None = None) -> Generation:
        if grammar_mode not in GRAMMAR_MODES:
            raise LLMError(f"unknown grammar mode {grammar_mode!r}", hint="one of: " + ", ".join(GRAMMAR_MODES))
        n_ctx = self.settings.n_ctx
        if not tokens:
            raise LLMError("empty prompt")
        if len(tokens) >= n_ctx:
            raise LLMError(f"llama.cpp: the prompt has {len(tokens)} tokens, the context holds {n_ctx}",
                           hint=f"llm.n_ctx is {n_ctx}")
        max_tokens = max(0, min(max_tokens, n_ctx - len(tokens)))
        with self.lock:
            sampler = self.grammar(grammar) if grammar and grammar_mode != "none" else None
            if sampler is not None:
                self._ll.llama_sampler_reset(sampler)
            started = time.perf_counter()
            seq, source, evaluated = self._prepare(list(tokens), prefix_len)
            prompt_seconds = time.perf_counter() - started
            rng = np.random.default_rng(seed)
            out: list[int] = []
            text, full_steps, stopped, shown = b"", 0, "", 0
            stops = [s for s in (stop or []) if s]
            while len(out) < max_tokens:
                if deadline is not None and time.monotonic() >= deadline:
                    stopped = "deadline"
                    break
                logits = np.ctypeslib.as_array(self._ll.llama_get_logits_ith(self.ctx.ctx, -1), shape=(self.n_vocab,))
                tok, full = self._pick(logits, sampler, grammar_mode, temperature, rng)
                full_steps += full
                if tok < 0 or self._ll.llama_vocab_is_eog(self.vocab, tok):
                    break
                if sampler is not None:
                    self._ll.llama_sampler_accept(sampler, tok)
                out.append(tok)
                text += self._piece(tok)
                if stops and _cut(text, stops) is not None:
                    break
                if on_token is not None:
                    shown = _stream(text, shown, on_token)
                if len(out) < max_tokens:
                    self._decode(seq, [tok], logits_last=True)
            decoded = text.decode("utf-8", errors="ignore")
            cut = _cut(text, stops) if stops else None
            if cut is not None:
                decoded = text[:cut].decode("utf-8", errors="ignore")
            return Generation(decoded, out, len(tokens), evaluated, source, full_steps,
                              time.perf_counter() - started, prompt_seconds, stopped)

    def _pick(self, logits: np.ndarray, sampler, mode: str, temperature: float,
              rng: np.random.Generator) -> tuple[int, int]:
        tok = _choose(logits, temperature, rng)
        if sampler is None:
            return tok, 0
        if mode == "lazy":
            self._one[0].id, self._one[0].logit, self._one[0].p = tok, float(logits[tok]), 0.0
            self._one_arr.size, self._one_arr.selected, self._one_arr.sorted = 1, -1, False
            self._ll.llama_sampler_apply(sampler, ctypes.byref(self._one_arr))
            if np.isfinite(self._one[0].logit):
                return tok, 0
        cand = self._cand
        cand["id"] = self._ids
        cand["logit"] = logits
        cand["p"] = 0.0
        self._cand_arr.size, self._cand_arr.selected, self._cand_arr.sorted = self.n_vocab, -1, False
        self._ll.llama_sampler_apply(sampler, ctypes.byref(self._cand_arr))
        masked = cand["logit"][: self._cand_arr.size]
        if not np.isfinite(masked).any():
            return -1, 1  # the grammar allows nothing more: its end
        return int(cand["id"][_choose(masked, temperature, rng)]), 1


def _choose(logits: np.ndarray, temperature: float, rng: np.random.Generator) -> int:
    if temperature <= 0:
        return int(np.argmax(logits))
    z = logits.astype(np.float64) / temperature
    z -= z[np.isfinite(z)].max()
    p = np.exp(z)
    p /= p.sum()
    return int(rng.choice(len(p), p=p))


def _stream(text: bytes, shown: int, on_token: Callable[[str], None]) -> int:
    """Hand ``on_token`` the complete UTF-8 characters written since byte ``shown``; returns the new mark."""
    new = text[shown:]
    piece = new.decode("utf-8", errors="ignore")
    if not piece:
        return shown
    if len(piece.encode("utf-8")) != len(new):  # a multi-byte character is still incomplete: wait for it
        return shown
    on_token(piece)
    return len(text)


def _cut(text: bytes, stops: list[str]) -> int | None:
    hits = [i for s in stops if (i := text.find(s.encode("utf-8"))) >= 0]
    return min(hits) if hits else None
