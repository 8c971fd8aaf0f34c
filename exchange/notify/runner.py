"""The background threads of notifications, started with the app: the change-log worker, the mail sender and reminders."""

from __future__ import annotations

import weakref

import logging

from exchange import config
from exchange.conversations import questions
from exchange.notify import consumer, mail
from exchange.peers import freshness
from exchange.storage import changes
from exchange.worker import Periodic, Worker, deliver

log = logging.getLogger(__name__)
_running: "weakref.WeakKeyDictionary[object, tuple[Periodic, ...]]" = weakref.WeakKeyDictionary()


def remind(db) -> dict[str, int]:
    """Record the reminders that are due (each becomes a notification through the worker); return how many of each.

    "Is this lesson still current?" once a year after publishing or the last confirmation
    (exchange.peers.freshness), and the one nudge about a question unanswered for 14 days
    (exchange.conversations.questions). Each marks what it recorded in the same transaction, so a
    second round, or a second process, records nothing twice. One failing kind does not stop the other.
    """
    done = {}
    for name, task in (("confirmations", freshness.ask_due), ("nudges", questions.nudge_overdue)):
        try:
            done[name] = task(db)
        except Exception:  # noqa: BLE001 — logged; the next round tries again
            if not db.open:
                raise
            log.exception("recording %s failed", name)
            done[name] = 0
    return done


def start(db) -> None:
    """Start (once per database) the worker that turns events into notifications and the thread that sends e-mail.

    With them, a thread that records the reminders that are due (`remind`). All hold the database weakly
    and end when it is closed; their intervals are settings (EXCHANGE_NOTIFY_SECONDS, EXCHANGE_MAIL_SECONDS,
    EXCHANGE_REMINDER_SECONDS). The sender does nothing while e-mail is off.
    """
    running = _running.get(db)
    if running is not None and all(t.is_alive() for t in running):
        return
    found = config.settings()
    handler = consumer.make_handler(db)
    with db.read() as cur:
        new = changes.position(cur, consumer.CONSUMER) is None
    if new:  # register the consumer now, so events from the first seconds are not skipped as "history"
        deliver(db, consumer.CONSUMER, handler)
    worker = Worker(db, {consumer.CONSUMER: handler}, interval=found.notify_seconds)
    # Each runs once per cluster (a PostgreSQL advisory lock per job; exchange.worker.Leadership).
    sender = Periodic(db, "exchange-mail-sender", mail.mail_round, found.mail_seconds, once_per_cluster=True)
    reminders = Periodic(db, "exchange-reminders", remind, found.reminder_seconds, once_per_cluster=True)
    _running[db] = (worker, sender, reminders)
    for thread in _running[db]:
        thread.start()


def stop(db, timeout: float = 5.0) -> None:
    """Stop this database's threads and wait for them (tests; the app's threads end with its database)."""
    running = _running.pop(db, None)
    for thread in running or ():
        thread.stopped.set()
    for thread in running or ():
        thread.join(timeout)
