from retrieval.chunking import chunk_text, split_sentences


def test_short_text_is_one_chunk():
    assert chunk_text("One sentence. Two sentences.") == ["One sentence. Two sentences."]


def test_chunks_respect_size_and_overlap():
    text = " ".join(f"Sentence number {i} has six words." for i in range(100))
    chunks = chunk_text(text, size=30, overlap=10)
    assert len(chunks) > 5
    assert all(len(c.split()) <= 30 for c in chunks)
    for a, b in zip(chunks, chunks[1:], strict=False):
        assert a.split()[-6:] == b.split()[:6]  # the last sentence is carried over


def test_long_sentence_is_split_by_words():
    chunks = chunk_text(" ".join(["word"] * 250), size=120, overlap=30)
    assert all(len(c.split()) <= 120 for c in chunks)
    assert sum(len(c.split()) for c in chunks) >= 250


def test_split_sentences_paragraphs():
    assert split_sentences("A b.\n\nC d? E") == ["A b.", "C d?", "E"]
