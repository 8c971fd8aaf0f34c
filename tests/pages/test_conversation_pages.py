"""The lesson page's conversation (endorse, ask, answer, report, answered) and the Questions to your department page."""

from exchange.conversations import endorsements, moderation, questions
from exchange.identity import accounts
from exchange import lessons
from exchange.lessons import moderation as lesson_moderation
from exchange.storage.duckdb import scalar
from exchange.ui.conversation import EMPTY_THREAD
from tests.factories import make_department, make_user
from tests.helpers import submit_new, valid_lesson
from tests.pages.text import shown

MEMBER = "member@demo.example.org"    # Hennepin County Public Health (MN, region 5)
OTHER = "member2@demo.example.org"    # Alameda County Public Health Department (CA)
COORD = "coordinator@demo.example.org"
ADMIN = "admin@demo.example.org"


def user(pages, email):
    return accounts.load_user(pages.db, pages.user_id(email))


def post(pages, email, **changes):
    lesson_id, status = submit_new(pages.db, user(pages, email), valid_lesson(**changes),
                                   client_token=lessons.new_client_token())
    if status == "submitted":
        lesson_moderation.decide(pages.db, user(pages, ADMIN), lesson_id, "publish")
    return lesson_id


def department(pages, email):
    with pages.db.read() as cur:
        return scalar(cur, "SELECT d.name FROM departments d JOIN users u ON u.department_id = d.id WHERE u.email = ?",
                      [email])


def text(at) -> str:
    return shown(" ".join([m.value for m in at.markdown] + [h.value for h in at.header] + [s.value for s in at.success]
                          + [link.label for link in at.get("page_link")] + [b.label for b in at.get("badge")]
                          + [t.label for t in at.tabs]))


def test_a_new_lesson_shows_the_empty_states_and_the_ask_form(pages):
    lesson_id = post(pages, MEMBER, title="Fresh lesson for the thread")
    at = pages.open("lesson", email=OTHER, query={"id": str(lesson_id)})
    assert not at.exception
    assert EMPTY_THREAD in text(at) and "No department has endorsed this lesson yet." in text(at)
    assert at.button(key=f"FormSubmitter:ask_{lesson_id}-Ask the posting department")
    own = pages.open("lesson", email=MEMBER, query={"id": str(lesson_id)})
    assert not own.get("form") or f"ask_{lesson_id}" not in [f.proto.form_id for f in own.get("form")]
    visitor = pages.open("lesson", query={"id": str(lesson_id)})
    assert "Sign in with a department account to ask" in text(visitor)


def test_asking_on_the_page_sends_the_question_and_an_empty_one_is_refused_by_its_label(pages):
    lesson_id = post(pages, MEMBER, title="Lesson to ask about")
    at = pages.open("lesson", email=OTHER, query={"id": str(lesson_id)})
    at.button(key=f"FormSubmitter:ask_{lesson_id}-Ask the posting department").click().run()
    assert "Your question is required." in shown(" ".join(e.value for e in at.error))
    at.text_area(key=f"ask_{lesson_id}_body").input("How did you brief the council?")
    at.button(key=f"FormSubmitter:ask_{lesson_id}-Ask the posting department").click().run()
    assert not at.exception
    assert "Your question was sent" in text(at)
    assert "How did you brief the council?" in text(at)
    assert at.text_area(key=f"ask_{lesson_id}_body").value == ""  # emptied after the send


def test_the_posting_department_answers_on_the_page_and_the_asker_marks_it_answered(pages):
    lesson_id = post(pages, MEMBER, title="Lesson to answer on")
    qid = questions.ask(pages.db, user(pages, OTHER), lesson_id, "Which partners came first?")
    own = pages.open("lesson", email=MEMBER, query={"id": str(lesson_id)})
    own.text_area(key=f"answer_{qid}_body").input("The tenant union, then the housing authority.")
    own.button(key=f"FormSubmitter:answer_{qid}-Post answer").click().run()
    assert not own.exception and "Your answer is posted" in text(own)
    asker = pages.open("lesson", email=OTHER, query={"id": str(lesson_id)})
    assert "The tenant union, then the housing authority." in text(asker)
    asker.button(key=f"mark_answered_{qid}").click().run()
    assert "Marked answered" in text(asker) and "Answered" in text(asker)


def test_on_an_anonymous_lesson_the_page_never_names_the_posting_department(pages):
    lesson_id = post(pages, MEMBER, title="Quiet lesson with a thread", anonymous=True)
    qid = questions.ask(pages.db, user(pages, OTHER), lesson_id, "Who ran this?")
    questions.answer(pages.db, user(pages, MEMBER), qid, "Our equity team.")
    endorsements.endorse(pages.db, user(pages, OTHER), lesson_id, "helped")
    at = pages.open("lesson", email=OTHER, query={"id": str(lesson_id)})
    page = text(at)
    assert "the posting department" in page and "Our equity team." in page
    assert department(pages, MEMBER) not in page and user(pages, MEMBER).display_name not in page
    assert "Helped 1 department" in page


def test_an_anonymous_askers_department_is_shown_to_nobody_outside_it(pages):
    lesson_id = post(pages, MEMBER, title="Lesson with an anonymous asker")
    dept = make_department(pages.db, name="Secret Asker County Health", state="WI")
    asker = make_user(pages.db, department_id=dept, email="secret.asker@example.org")
    questions.ask(pages.db, asker, lesson_id, "Did it work for you?", anonymous=True)
    for email in (MEMBER, COORD, ADMIN):
        page = text(pages.open("lesson", email=email, query={"id": str(lesson_id)}))
        assert "Did it work for you?" in page and "Anonymous — a county department in HHS Region 5" in page
        assert "Secret Asker" not in page and asker.display_name not in page
    listing = text(pages.open("questions", email=MEMBER))
    assert "Did it work for you?" in listing and "Secret Asker" not in listing


def test_endorsing_shows_the_count_and_withdrawing_asks_first(pages):
    lesson_id = post(pages, MEMBER, title="Lesson to endorse")
    at = pages.open("lesson", email=OTHER, query={"id": str(lesson_id)})
    at.radio(key=f"endorse_kind_{lesson_id}").set_value("adapted")
    at.text_area(key=f"endorse_note_{lesson_id}").input("We ran it with schools.")
    at.button(key=f"FormSubmitter:endorse_{lesson_id}-Endorse for our department").click().run()
    assert not at.exception
    assert "Adapted by 1" in [m.value for m in at.markdown] and "Start our own lesson from this note" in text(at)
    poster = text(pages.open("lesson", email=MEMBER, query={"id": str(lesson_id)}))
    assert department(pages, OTHER) in poster and "We ran it with schools." in poster
    at.button(key=f"withdraw_{lesson_id}").click().run()
    assert "Withdraw your department's endorsement" in shown(" ".join(w.value for w in at.warning))
    assert "Adapted by 1" in [m.value for m in at.markdown]  # nothing withdrawn before the confirmation
    at.button(key=f"withdraw_yes_{lesson_id}").click().run()
    assert "was withdrawn" in text(at) and "No department has endorsed this lesson yet." in text(at)


def test_the_questions_page_lists_open_answered_and_asked(pages):
    mine = post(pages, MEMBER, title="Lesson with questions page entries")
    open_q = questions.ask(pages.db, user(pages, OTHER), mine, "Still open here?")
    done = questions.ask(pages.db, user(pages, OTHER), mine, "Done here?")
    questions.answer(pages.db, user(pages, MEMBER), done, "Yes.")
    questions.mark_answered(pages.db, user(pages, OTHER), done)
    at = pages.open("questions", email=MEMBER)
    assert not at.exception and at.in_navigation
    assert at.title[0].value == "Questions to your department"
    page = text(at)
    assert "Still open here?" in page and "Done here?" in page
    assert at.button(key=f"FormSubmitter:answer_{open_q}-Post answer")
    theirs = text(pages.open("questions", email=OTHER))
    assert "Asked by us" in theirs and "Still open here?" in theirs


def test_the_questions_page_is_for_department_members(pages):
    visitor = pages.open("questions")
    assert not visitor.exception and not visitor.in_navigation
    coordinator = pages.open("questions", email=COORD)
    assert not coordinator.exception
    assert not any("Still open" in m.value for m in coordinator.markdown)


def test_a_reported_question_waits_in_the_review_queue_and_the_coordinator_hides_it(pages):
    lesson_id = post(pages, MEMBER, title="Lesson with a rude question")
    qid = questions.ask(pages.db, user(pages, OTHER), lesson_id, "A rude question here")
    moderation.report(pages.db, user(pages, MEMBER), "question", qid, "Insulting")
    queue = pages.open("review", email=COORD)
    assert "A rude question here" in text(queue) and "Reported questions and answers" in text(queue)
    queue.button(key=f"FormSubmitter:decide_question_{qid}-Hide it").click().run()
    assert not queue.exception and "Hidden." in text(queue)
    assert "A rude question here" not in text(pages.open("lesson", email=ADMIN, query={"id": str(lesson_id)}))


def test_find_lessons_sorts_by_most_helpful_and_cards_show_counts(pages):
    at = pages.open("home", email=OTHER, query={"sort": "helpful"})
    assert not at.exception
    assert at.selectbox(key=next(s.key for s in at.selectbox if s.label == "Sort by")).value == "helpful"
    assert any("Helped" in m.value or "Adapted by" in m.value for m in at.markdown)


def test_an_adaptation_note_starts_a_lesson_that_links_back(pages):
    lesson_id = post(pages, MEMBER, title="Lesson someone adapted")
    eid = endorsements.endorse(pages.db, user(pages, OTHER), lesson_id, "adapted", note="We ran it with schools.")
    form = pages.open("post", email=OTHER, query={"adapt": str(eid)})
    assert not form.exception
    assert form.text_input(key="post_title").value == "Adapting “Lesson someone adapted”"
    assert form.text_area(key="post_what_we_did").value == "We ran it with schools."
    with pages.db.read() as cur:
        new_id = scalar(cur, "SELECT adapted_lesson_id FROM endorsements WHERE id = ?", [eid])
    assert new_id is not None  # the first autosave made the draft and linked it
    assert endorsements.summary(pages.db, user(pages, OTHER), lesson_id)["adapted_into"] == [
        {"id": new_id, "title": "Adapting “Lesson someone adapted”"}]
    stranger = pages.open("post", email=MEMBER, query={"adapt": str(eid)})
    assert stranger.text_input(key="post_title").value == ""  # not their note: nothing filled in


def test_the_questions_page_stays_on_its_section_when_the_counts_in_the_labels_change(pages):
    mine = post(pages, MEMBER, title="Lesson whose question counts change")
    done = questions.ask(pages.db, user(pages, OTHER), mine, "Answered already?")
    questions.answer(pages.db, user(pages, MEMBER), done, "Yes.")
    questions.mark_answered(pages.db, user(pages, OTHER), done)
    at = pages.open("questions", email=MEMBER)
    answered = next(t.label for t in at.tabs if t.label.startswith("Answered"))
    at.session_state["questions_tab"] = answered  # the member opens the Answered section
    at.run()
    assert at.session_state["questions_section"] == "answered"
    questions.ask(pages.db, user(pages, OTHER), mine, "A new one arrives meanwhile?")  # "Open (n)" becomes n + 1
    at.run()
    assert not at.exception
    assert at.session_state["questions_section"] == "answered"
    assert at.session_state["questions_tab"].startswith("Answered")
