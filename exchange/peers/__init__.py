"""Peers (issue 11): department profiles, departments like us, and whether a lesson is still current."""
