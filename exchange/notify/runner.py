"""The background threads of notifications, started with the app: the change-log worker and the mail sender."""

from __future__ import annotations

import weakref

from exchange import config
from exchange.notify import consumer, mail
from exchange.storage import changes
from exchange.worker import Periodic, Worker, deliver

_running: "weakref.WeakKeyDictionary[object, tuple[Worker, Periodic]]" = weakref.WeakKeyDictionary()


def start(db) -> None:
    """Start (once per database) the worker that turns events into notifications and the thread that sends e-mail.

    Both hold the database weakly and end when it is closed; their intervals are settings
    (EXCHANGE_NOTIFY_SECONDS, EXCHANGE_MAIL_SECONDS). The sender does nothing while e-mail is off.
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
    sender = Periodic(db, "exchange-mail-sender", mail.mail_round, found.mail_seconds)
    _running[db] = (worker, sender)
    worker.start()
    sender.start()


def stop(db, timeout: float = 5.0) -> None:
    """Stop this database's threads and wait for them (tests; the app's threads end with its database)."""
    running = _running.pop(db, None)
    for thread in running or ():
        thread.stopped.set()
    for thread in running or ():
        thread.join(timeout)
