"""What a search means (issue 10.3) and the in-memory index kept current from the change log (10.2)."""

import random
import tomllib

import numpy as np
import pytest

from exchange import lessons
from exchange.discovery import browse, indexstore, search, textindex
from exchange.discovery.browse import Filters
from exchange.lessons import moderation
from tests.factories import make_department, make_user
from tests.helpers import publish, valid_lesson

pytestmark = pytest.mark.both_backends  # issue 13: discovery on DuckDB and on PostgreSQL

NEUTRAL = dict(context="Background on the work.", what_we_did="Plain work.", what_happened="It went as planned.",
               do_differently="", advice="", partners=[], practice_ids=[1], risk_type_ids=[], links=[])


@pytest.fixture
def world(fresh_db):
    db = fresh_db
    admin = make_user(db, "admin")
    author = make_user(db, department_id=make_department(db))
    return db, author, admin


def ids_of(db, user, q, **filters):
    return [lesson["id"] for lesson in browse.find(db, user, Filters(q=q, per_page=100, **filters)).lessons]


def post(world, title, summary, **more):
    db, author, admin = world
    return publish(db, author, admin, title=title, summary=summary, **{**NEUTRAL, **more})


def test_every_word_is_required_and_the_count_means_lessons_with_all_of_them(world):
    db, author, _ = world
    both = post(world, "Quokka budgets with residents", "Quokka and wombat voters.")
    one = post(world, "Quokka fair", "Quokka only.")
    post(world, "Wombat walk", "Wombat only.")
    result = browse.find(db, author, Filters(q="quokka wombat"))
    assert [l["id"] for l in result.lessons] == [both] and result.total == 1
    assert result.match.mode == "all"
    assert set(ids_of(db, author, "quokka")) == {both, one}


def test_when_no_lesson_has_every_word_lessons_with_some_are_shown_and_said(world):
    db, author, _ = world
    quokka = post(world, "Quokka fair", "Quokka only.")
    wombat = post(world, "Wombat walk", "Wombat only.")
    result = browse.find(db, author, Filters(q="quokka wombat"))
    assert {l["id"] for l in result.lessons} == {quokka, wombat}
    assert result.match.mode == "some"


def test_a_quoted_phrase_must_appear_as_written_and_an_unquoted_one_ranks_first(world):
    db, author, _ = world
    together = post(world, "Notes", "We tried wombat budgeting in the spring.")
    apart = post(world, "Notes on budgeting", "Budgeting for the wombat shelter, wombat budgeting aside no.")
    scattered = post(world, "More notes", "Budgeting lessons, then a wombat census, more budgeting and wombat talk.")
    assert set(ids_of(db, author, '"wombat budgeting"')) == {together, apart}
    assert scattered not in ids_of(db, author, '"wombat budgeting"')
    # Stopwords keep their places: "wombat of budgeting" is not the phrase "wombat budgeting".
    post(world, "Other", "A wombat of budgeting fame.")
    assert len(ids_of(db, author, '"wombat budgeting"')) == 2
    ranked = ids_of(db, author, "wombat budgeting")
    assert set(ranked) == {together, apart, scattered} | set(ranked) and ranked.index(scattered) > ranked.index(together)


def test_a_typo_finds_the_word_meant_and_says_so(world):
    db, author, _ = world
    eviction = post(world, "Eviction defense fund", "Eviction filings fell.")
    result = browse.find(db, author, Filters(q="evictoin"))
    assert [l["id"] for l in result.lessons] == [eviction]
    assert result.match.corrections == (("evictoin", "eviction"),)
    assert result.match.corrected_query == "eviction"


def test_a_word_nothing_resembles_matches_nothing(world):
    db, author, _ = world
    post(world, "Eviction defense fund", "Eviction filings fell.")
    result = browse.find(db, author, Filters(q="xylophonic"))
    assert result.total == 0 and result.match.unknown == ("xylophonic",)


def _item(db, table, name):
    with db.read() as cur:
        return cur.execute(f"SELECT id FROM {table} WHERE name = ?", [name]).fetchone()[0]


def test_an_acronym_or_a_taxonomy_name_also_matches_lessons_tagged_with_it(world):
    db, author, _ = world
    action = _item(db, "actions", "Use participatory budgeting to let communities direct funds")
    practice = _item(db, "practices", "Implement Health in All Policies")
    with db.read() as cur:
        owner = cur.execute("SELECT practice_id FROM actions WHERE id = ?", [action]).fetchone()[0]
    tagged = post(world, "Residents chose the projects", "A vote on the capital plan.", practice_ids=[practice, owner],
                  action_ids=[action])
    worded = post(world, "Our participatory budgeting pilot", "Participatory budgeting drew voters.")
    post(world, "Unrelated", "Nothing to do with it.")
    assert set(ids_of(db, author, "PB")) == {tagged, worded}
    assert set(ids_of(db, author, "participatory budgeting")) == {tagged, worded}
    assert ids_of(db, author, "HiAP") == [tagged]
    assert ids_of(db, author, "health in all policies") == [tagged]


def test_every_vocabulary_phrase_names_a_taxonomy_item(fresh_db):
    vocabulary = tomllib.loads(textindex.VOCABULARY_FILE.read_text())
    with fresh_db.read() as cur:
        names = {r[0] for r in cur.execute("SELECT name FROM practices UNION SELECT name FROM actions "
                                            "UNION SELECT name FROM risk_types").fetchall()}
    assert set(vocabulary["phrases"]) <= names, set(vocabulary["phrases"]) - names
    assert all(isinstance(v, str) and v for v in vocabulary["acronyms"].values())


def _snapshot_answers(db, user, queries):
    return {q: (browse.find(db, user, Filters(q=q, per_page=100)).total,
                [(l["id"], l["score"]) for l in browse.find(db, user, Filters(q=q, per_page=100)).lessons])
            for q in queries}


def test_after_a_random_sequence_of_writes_the_kept_copy_equals_a_fresh_read(world, monkeypatch):
    db, author, admin = world
    rng = random.Random(10)
    words = ["harbor", "clinic", "ledger", "meadow", "lantern", "orchard", "quarry", "summit", "eviction"]
    queries = words + ["harbor clinic", '"meadow lantern"', "evictoin", "summit quarry ledger"]
    monkeypatch.setattr(textindex, "COMPACT_AT", 5)  # the compaction path too
    authors = [author] + [make_user(db, department_id=make_department(db)) for _ in range(2)]
    live: dict[int, object] = {}
    for step in range(18):
        text = " ".join(rng.sample(words, 3))
        writer = authors[step % len(authors)]
        choice = rng.random()
        if choice < 0.5 or not live:
            live[publish(db, writer, admin, title=f"Step {step} {text}", summary=text, **NEUTRAL)] = writer
        elif choice < 0.8:
            target = rng.choice(sorted(live))
            owner = live[target]
            saved = lessons.save(db, owner, valid_lesson(title=f"Edited {text}", summary=text, **NEUTRAL), lesson_id=target)
            if lessons.submit(db, owner, target, revision=saved.revision) == "submitted":
                moderation.decide(db, admin, target, "publish")
        else:
            target = rng.choice(sorted(live))
            lessons.withdraw(db, live.pop(target), target)
        if step % 2:
            kept = _snapshot_answers(db, author, queries)
            textindex.reset(db)
            assert _snapshot_answers(db, author, queries) == kept, f"step {step}"


def test_a_lesson_is_searchable_the_moment_it_is_published_without_a_rebuild(world, monkeypatch):
    db, author, _ = world
    textindex.current(db)
    monkeypatch.setattr(search, "_build", lambda *_: pytest.fail("no full build on the request path"))
    monkeypatch.setattr(textindex, "_load", lambda *_: pytest.fail("no full read on the request path"))
    lesson_id = post(world, "Capybara clinic", "Capybara outreach at the community clinic.")
    assert ids_of(db, author, "capybara community") == [lesson_id]


def test_scores_are_bm25_like_the_persisted_index_would_compute(world):
    db, author, _ = world
    post(world, "Eviction and eviction", "Eviction eviction eviction.")
    post(world, "One eviction", "A passing mention of an eviction.")
    post(world, "Nothing", "About parks.")
    with db.read() as cur:
        found = textindex.match(db, cur, "eviction")
    with indexstore.of(db).read() as cur:  # where the index lives (beside PostgreSQL: in this process)
        stats = cur.execute("SELECT count(*), avg(doc_len) FROM search.docs").fetchone()
        rows = cur.execute("""SELECT p.lesson_id, p.tf, p.doc_len, t.df FROM search.postings p JOIN search.terms t
                              USING (termid) WHERE t.term = 'evict'""").fetchall()
    n, avgdl = stats
    expected = {}
    for lesson_id, tf, doc_len, df in rows:
        idf = np.log((n - df + 0.5) / (df + 0.5) + 1)
        expected[lesson_id] = idf * tf * 2.2 / (tf + 1.2 * (0.25 + 0.75 * doc_len / avgdl))
    got = found.as_dict()
    assert set(got) == set(expected)
    assert all(abs(got[k] - expected[k]) < 1e-4 for k in expected)


def test_related_lessons_never_list_the_same_story_twice(world):
    db, author, admin = world
    story = ("We paired eviction court navigators with legal aid so tenants facing filings had counsel. "
             "Filings fell and the landlord association objected at council.")
    original = post(world, "Court navigators for tenants in Alder County", story)
    copy = post(world, "Court navigators for tenants in Birch County", story.replace("council", "the board"))
    different = post(world, "Legal aid and eviction filings", "Tenants facing eviction filings got legal aid "
                     "through a court program; we tracked counsel and outcomes.")
    lesson = lessons.get(db, author, original)
    related = [l["id"] for l in browse.related(db, author, lesson)]
    assert copy not in related and different in related
    # The draft check ("similar lessons already shared") lists one of the twins, not both.
    similar = [l["id"] for l in browse.similar(db, author, "Court navigators for tenants: " + story)]
    assert len({original, copy} & set(similar)) == 1 and different in similar


def test_related_lessons_share_tags_even_without_shared_words(world):
    db, author, _ = world
    practice = _item(db, "practices", "Build Community Alliances")
    first = post(world, "Porcupine partnerships", "Quills.", practice_ids=[practice])
    second = post(world, "Hedgehog meetings", "Spines.", practice_ids=[practice])
    post(world, "Otter swim", "Water.")
    lesson = lessons.get(db, author, first)
    assert [l["id"] for l in browse.related(db, author, lesson)][:1] == [second]


def test_an_unpublished_draft_is_not_searchable_and_moves_no_ranking(world):
    db, author, _ = world
    published = post(world, "Gecko outreach", "Gecko gecko.")
    before = browse.find(db, author, Filters(q="gecko")).lessons[0]["score"]
    lessons.save_draft(db, author, valid_lesson(title="Gecko draft", summary="Gecko gecko gecko gecko.", **NEUTRAL))
    result = browse.find(db, author, Filters(q="gecko"))
    assert [l["id"] for l in result.lessons] == [published] and result.lessons[0]["score"] == before


def _stored(db):
    """Each indexed lesson's (termid, tf) pairs and each term's document frequency, read from the stored index."""
    with indexstore.of(db).read() as cur:
        postings = cur.execute("SELECT lesson_id, termid, tf FROM search.postings").fetchall()
        dfs = dict(cur.execute("SELECT termid, count(*) FROM search.postings GROUP BY 1").fetchall())
    by_lesson: dict[int, dict[int, int]] = {}
    for lesson_id, termid, tf in postings:
        by_lesson.setdefault(lesson_id, {})[termid] = tf
    return by_lesson, dfs


def test_each_lessons_terms_and_every_terms_frequency_in_memory_equal_the_stored_index_after_edits(world):
    db, author, admin = world
    first = post(world, "Harbor clinic", "Harbor outreach at the clinic, harbor again.")
    second = post(world, "Meadow ledger", "A meadow and a ledger.")
    base = textindex.current(db)  # the base read now; the writes below go to the delta
    assert base.df(snap_stem(db, "outreach")) == 1  # asked before the edit (a cached answer must not outlive it)
    saved = lessons.save(db, author, valid_lesson(title="Lantern clinic", summary="Lantern, lantern, clinic.", **NEUTRAL),
                         lesson_id=first)
    if lessons.submit(db, author, first, revision=saved.revision) == "submitted":
        moderation.decide(db, admin, first, "publish")
    third = post(world, "Orchard harbor", "An orchard by the harbor.")
    snap = textindex.current(db)
    assert first in snap.delta_ids and third in snap.delta_ids  # spliced, not read again
    by_lesson, dfs = _stored(db)
    ids = sorted(by_lesson)
    assert {second, third, first} <= set(ids)
    found = textindex.vectors(None, snap, ids, idf=False)
    assert {i: {t: round(w, 9) for t, w in v.items()} for i, v in found.items()} == \
        {i: {t: round(1 + np.log(tf), 9) for t, tf in v.items()} for i, v in by_lesson.items()}
    assert {t: snap.df_of(t) for t in dfs} == dfs
    assert snap.df(snap_stem(db, "harbor")) == sum(1 for v in by_lesson.values() if snap.terms[snap_stem(db, "harbor")] in v)
    assert snap.df(snap_stem(db, "lantern")) == 1
    assert snap.df(snap_stem(db, "outreach")) == 0  # the edit took the only "outreach" away


def snap_stem(db, word):
    with indexstore.of(db).read() as cur:
        return textindex.analyse(cur, [word])[0][0][1]


def test_the_same_story_matrix_equals_the_cosine_of_each_pair(world):
    db, _, _ = world
    ids = [post(world, f"Clinic story {n}", text) for n, text in enumerate(
        ["Harbor clinic outreach.", "Harbor clinic outreach.", "Meadow ledger lantern.", "Harbor meadow."])]
    snap = textindex.current(db)
    vectors = textindex.vectors(None, snap, ids, idf=False)
    between, with_like = textindex.story_cosines(snap, ids, vectors[ids[0]])
    for a, first in enumerate(ids):
        assert with_like[a] == pytest.approx(textindex.cosine(vectors[first], vectors[ids[0]]))
        for b, other in enumerate(ids):
            assert between[a, b] == pytest.approx(textindex.cosine(vectors[first], vectors[other]))
    assert between[0, 1] == pytest.approx(1.0) and between[0, 2] < 0.8
