"""Sentences with offsets: blocks, headings, list items, abbreviations, exact slices."""

from hypothesis import given, settings, strategies as st

from evkg.ingest.sentences import split_sentences


def _texts(text):
    return [(s.kind, s.text) for s in split_sentences(text)]


def test_abbreviations_stay_whole():
    text = "Orion Cells Co. Ltd. hired 40 U.S. engineers. The Jan. 5 launch in St. Louis went well."
    assert _texts(text) == [("sentence", "Orion Cells Co. Ltd. hired 40 U.S. engineers."),
                            ("sentence", "The Jan. 5 launch in St. Louis went well.")]


def test_headings_items_and_blank_lines_end_units():
    text = ("# Harbour plans\n\nA short heading line\nThe port grew fast. It hired more staff.\n"
            "- First point of the list\n2. Second point\nTail sentence here.\n\nNext paragraph.")
    assert _texts(text) == [
        ("heading", "Harbour plans"), ("heading", "A short heading line"),
        ("sentence", "The port grew fast."), ("sentence", "It hired more staff."),
        ("item", "First point of the list"), ("item", "Second point"),
        ("sentence", "Tail sentence here."), ("sentence", "Next paragraph."),
    ]


def test_wrapped_paragraph_is_joined_but_never_across_a_blank_line():
    line = "The regional carmaker said on Tuesday that its new assembly line would"
    text = f"{line}\nopen in the spring of next year.\nIt gave no figure for the cost of it all.\n\n{line}\n\nend."
    texts = [s.text for s in split_sentences(text)]
    assert texts[0] == f"{line}\nopen in the spring of next year."
    assert all("\n\n" not in t for t in texts)


def test_quotes_open_the_sentence_they_belong_to():
    text = "“We will grow,” the chief said. “Next year too.” Sales rose."
    assert [s.text for s in split_sentences(text)] == ["“We will grow,” the chief said.", "“Next year too.”", "Sales rose."]


def test_table_rows_are_units():
    text = "Country | Capacity |\n---|---|\nNorvia | 12 |\n"
    assert [s.kind for s in split_sentences(text)] == ["item", "item", "item"]


@settings(max_examples=200, derandomize=True, deadline=None)
@given(st.lists(st.sampled_from(list("ab .?!\n#-*1“”’'Co.U.S:|\t ") + ["Ltd.", "Inc. ", "Word", "\n\n"]), max_size=80))
def test_every_sentence_is_an_exact_slice(pieces):
    text = "".join(pieces)
    previous_end = 0
    for s in split_sentences(text):
        assert text[s.start:s.end] == s.text
        assert s.text == s.text.strip() and s.text
        assert "\n\n" not in s.text
        assert s.start >= previous_end
        previous_end = s.end


def test_a_paragraph_of_many_abbreviations_is_split_in_time():
    # The segmenter rescans its text for each abbreviation: 6,000 in one paragraph took 30 s.
    from evkg.limits import time_limit

    text = "Ltd " * 6000 + "Harbour data is out. Sales rose."
    with time_limit(10, what="splitting the sentences"):
        sentences = split_sentences(text)
    assert [s.text for s in sentences][-2:] == ["Harbour data is out.", "Sales rose."]
    assert all(text[s.start:s.end] == s.text for s in sentences)
