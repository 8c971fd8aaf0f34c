"""Follows, the in-app inbox and e-mail (issue 11.5): who hears about what, rendered through the anonymity rule.

follows.py   what a person follows and which new lessons match it
inbox.py     notification rows (ids only) and their texts, rendered when read
consumer.py  the change-log consumer that writes notifications (and immediate mail) once per event
mail.py      preferences, the outbox, digests, the SMTP sender and the one-click unsubscribe token
runner.py    the background threads started with the app
"""
