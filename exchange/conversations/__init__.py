"""Conversations about a lesson: questions to its posting department, answers, and endorsements (issue 11, parts 3–4).

Every read goes through exchange.privacy.anonymity (content_facts), so a question, an answer or an
endorsement shows its department only as the one attribution rule allows.
"""
