"""The OpenAPI 3.0 description of /api/v1, served at /api/v1/openapi.json and walked by the contract tests."""

from __future__ import annotations

from exchange.discovery import browse
from exchange.transfer import exports

_TEXT = {"type": "string"}
_NULLABLE_TEXT = {"type": "string", "nullable": True}
_TEXTS = {"type": "array", "items": _TEXT}
_INT_PARAMS = ("practice", "action", "risk", "region", "year", "department")


def _error(description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def _many(name: str, description: str) -> dict:
    item = {"type": "integer", "minimum": 0} if name in _INT_PARAMS else {"type": "string", "maxLength": 40}
    return {"name": name, "in": "query", "required": False, "style": "form", "explode": True, "description": description,
            "schema": {"type": "array", "items": item, "maxItems": 50}}


LESSON = {
    "type": "object", "additionalProperties": False, "required": list(exports.FIELDS),
    "properties": {
        "ref": {"type": "string", "description": "Stable public reference (not the internal id)."},
        **{k: _TEXT for k in ("title", "summary", "context", "what_we_did", "what_happened", "do_differently", "advice")},
        "kind": {"type": "string", "enum": ["success", "challenge", "mixed"]},
        **{k: _TEXTS for k in exports.LIST_FIELDS},
        "period_start": {**_NULLABLE_TEXT, "description": "YYYY-MM"},
        "period_end": {**_NULLABLE_TEXT, "description": "YYYY-MM; null while ongoing"},
        "published": {**_NULLABLE_TEXT, "format": "date"},
        "status": {"type": "string", "enum": ["draft", "submitted", "published", "rejected", "withdrawn"]},
        "visibility": {"type": "string", "enum": ["public", "members"]},
        "anonymous": {"type": "boolean"},
        "attribution": {"type": "string", "description": "Who posted it, as far as the anonymity rule lets this caller see."},
        "department": _NULLABLE_TEXT, "state": _NULLABLE_TEXT,
        "hhs_region": {"type": "integer", "nullable": True}, "jurisdiction_type": _NULLABLE_TEXT,
    },
}
ROWS = {"type": "array", "items": {"type": "object"}}


def document() -> dict:
    """The OpenAPI document (a plain dict)."""
    errors = {"400": _error("Invalid input."), "401": _error("The token is missing, revoked or mistyped."),
              "429": _error("Too many requests; see Retry-After."), "503": _error("The database is unavailable.")}
    return {
        "openapi": "3.0.3",
        "info": {"title": "Equity Exchange API", "version": "1.0.0",
                 "description": "Read-only. Without a token: public published lessons. With a personal token "
                                "(Authorization: Bearer …, created on Your account): what that account may read. "
                                "Anonymous lessons never name their department."},
        "servers": [{"url": "/"}],
        "components": {
            "securitySchemes": {"token": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Error": {"type": "object", "required": ["error"], "properties": {"error": {
                    "type": "object", "required": ["status", "message"],
                    "properties": {"status": {"type": "integer"}, "message": {"type": "string"}}}}},
                "Lesson": LESSON,
                "LessonPage": {"type": "object", "required": ["lessons", "total", "page", "pages", "per_page", "sort",
                                                               "ignored", "facets"],
                               "properties": {"lessons": {"type": "array", "items": {"$ref": "#/components/schemas/Lesson"}},
                                              "total": {"type": "integer", "minimum": 0},
                                              "page": {"type": "integer", "minimum": 1},
                                              "pages": {"type": "integer", "minimum": 1},
                                              "per_page": {"type": "integer", "minimum": 1, "maximum": 100},
                                              "sort": {"type": "string", "enum": list(browse.SORTS)},
                                              "ignored": _TEXTS,
                                              "facets": {"type": "object", "additionalProperties": {
                                                  "type": "object", "additionalProperties": {"type": "integer"}}}}},
            },
        },
        "security": [{}, {"token": []}],
        "paths": {
            "/api/v1/lessons": {"get": {
                "summary": "Find lessons: the same filters, search, sort and pages as the Find lessons page.",
                "parameters": [
                    {"name": "q", "in": "query", "schema": {"type": "string", "maxLength": 200}, "description": "Search."},
                    *[_many(n, f"Filter by {n} (repeat for several).") for n in browse.DIMENSIONS],
                    {"name": "sort", "in": "query", "schema": {"type": "string", "enum": list(browse.SORTS)}},
                    {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 999999}},
                    {"name": "per_page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100}},
                ],
                "responses": {"200": {"description": "One page of lessons.", "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/LessonPage"}}}}, **errors}}},
            "/api/v1/lessons/{ref}": {"get": {
                "summary": "One lesson by its reference.",
                "parameters": [{"name": "ref", "in": "path", "required": True, "schema": {"type": "string"}}],
                "responses": {"200": {"description": "The lesson.", "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/Lesson"}}}},
                    "404": _error("No such lesson, or not readable by this caller."), **errors}}},
            "/api/v1/taxonomy": {"get": {
                "summary": "Categories, practices, actions, risk types, adoption stages and states.",
                "responses": {"200": {"description": "The taxonomy.", "content": {"application/json": {"schema": {
                    "type": "object", "required": ["categories", "risk_types", "stages", "states"],
                    "properties": {k: ROWS for k in ("categories", "risk_types", "stages", "states")}}}}}, **errors}}},
            "/api/v1/adoption": {"get": {
                "summary": "Adoption aggregates (coordinators and administrators); numbers behind too few "
                           "departments are suppressed. Same parameters as the dashboard's address.",
                "parameters": [{"name": n, "in": "query", "style": "form", "explode": True,
                                "schema": {"type": "array", "items": {"type": "string", "maxLength": 100}}}
                               for n in ("practice", "period", "region", "jurisdiction", "size", "urbanicity", "governance")],
                "responses": {"200": {"description": "The aggregates.", "content": {"application/json": {"schema": {
                    "type": "object", "required": ["snapshot", "departments", "heatmap", "stages", "trend", "map"],
                    "properties": {"snapshot": {"type": "string", "format": "date"},
                                   "departments": {"type": "integer", "nullable": True},
                                   **{k: ROWS for k in ("heatmap", "stages", "trend", "map", "lessons_by_kind",
                                                        "lessons_by_risk")}}}}}},
                    "403": _error("This account may not see adoption aggregates."), **errors}}},
            exports.OPEN_DATA_CSV_URL: {"get": {
                "summary": "Every public published lesson, the Lesson object's columns, as CSV.",
                "responses": {"200": {"description": "CSV.", "content": {"text/csv": {"schema": {"type": "string"}}}},
                              **errors}}},
            "/api/v1/open-data/lessons.json": {"get": {
                "summary": "Every public published lesson as a list of Lesson objects.",
                "responses": {"200": {"description": "JSON.", "content": {"application/json": {"schema": {
                    "type": "array", "items": {"$ref": "#/components/schemas/Lesson"}}}}}, **errors}}},
            "/api/v1/openapi.json": {"get": {
                "summary": "This description.",
                "responses": {"200": {"description": "OpenAPI 3.0.", "content": {"application/json": {
                    "schema": {"type": "object"}}}}, **errors}}},
        },
    }
