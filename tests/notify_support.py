"""Shared set-up of the notification tests: a small exchange, delivery through the worker, synthetic events."""

from __future__ import annotations

from exchange import worker
from exchange.notify import consumer, inbox
from exchange.storage import changes
from exchange.storage.duckdb import rows
from tests.factories import make_department, make_user
from tests.helpers import publish, set_review_threshold, valid_lesson


class Exchange:
    """Departments in Minnesota (HHS Region 5) with a member each, an administrator, and delivery at hand."""

    def __init__(self, db, departments: int = 2):
        self.db = db
        set_review_threshold(db, 0)  # every lesson goes through review: published by the administrator
        self.admin = make_user(db, "admin")
        self.departments = [make_department(db, name=f"Pinecone County {i} Public Health", state="MN")
                            for i in range(departments)]
        self.members = [make_user(db, department_id=d) for d in self.departments]
        self.handler = consumer.make_handler(db)
        self.deliver()  # the consumer starts from now

    def deliver(self) -> int:
        """Run the consumer over what happened since (as the worker thread does)."""
        return worker.deliver(self.db, consumer.CONSUMER, self.handler)

    def publish(self, author, **changes) -> int:
        """A lesson by `author`, published by the administrator after review."""
        return publish(self.db, author, self.admin, valid_lesson(**changes))

    def event(self, entity: str, event: str, payload: dict) -> None:
        """A synthetic domain event, recorded in a write as another helper's service would."""
        self.db.write(lambda cur: changes.record(cur, entity, payload.get("question_id") or payload.get("lesson_id"),
                                                 event=event, payload=payload))

    def inbox(self, user) -> list[dict]:
        return inbox.items(self.db, user)

    def kinds(self, user) -> list[str]:
        return [i["kind"] for i in self.inbox(user)]

    def stored(self) -> list[dict]:
        with self.db.read() as cur:
            return rows(cur, "SELECT * FROM notifications ORDER BY id")
