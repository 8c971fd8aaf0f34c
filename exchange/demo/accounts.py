"""The demo accounts that can sign in (their passwords are public: this is demo data)."""

from __future__ import annotations

DEMO_ACCOUNTS = [
    {"email": "member@demo.example.org", "password": "member-demo-2026", "role": "member",
     "display_name": "Amina Hassan", "department": "Hennepin County Public Health", "regions": ()},
    {"email": "member2@demo.example.org", "password": "member2-demo-2026", "role": "member",
     "display_name": "Miguel Santos", "department": "Alameda County Public Health Department", "regions": ()},
    {"email": "coordinator@demo.example.org", "password": "coordinator-demo-2026", "role": "coordinator",
     "display_name": "Grace Olson", "department": None, "regions": (5, 7)},
    {"email": "admin@demo.example.org", "password": "admin-demo-2026", "role": "admin",
     "display_name": "Sam Rivera", "department": None, "regions": ()},
]
