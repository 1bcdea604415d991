"""The business account's `message_templates` in the fake Graph API: templates created (checked against the
spec, `whatsapp_template_spec`), listed with paging, and reviewed by the test as Meta's reviewers would.

A created template starts PENDING; `review` moves it (APPROVED, REJECTED with a reason, PAUSED, DISABLED) and
gives the `message_template_status_update` webhook Meta would post about it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aiohttp import web

from tests.fakes.whatsapp_template_spec import (
    STATUSES,
    check_template_create,
    check_template_edit,
    check_template_list,
)
from tests.fakes.whatsapp_webhooks import template_status_update

if TYPE_CHECKING:
    from tests.fakes.whatsapp_server import FakeWhatsApp

_EXISTS_SUBCODE = 2388024  # "Message template already exists" (Graph's subcode for a taken name and language)


@dataclass
class StoredTemplate:
    id: str
    name: str
    language: str
    category: str
    components: list[dict[str, Any]]
    status: str = "PENDING"
    rejected_reason: str = "NONE"

    def listed(self, fields: list[str]) -> dict[str, Any]:
        everything = {"id": self.id, "name": self.name, "language": self.language, "status": self.status,
                      "category": self.category, "components": self.components,
                      "rejected_reason": self.rejected_reason}
        return {key: value for key, value in everything.items() if not fields or key in fields or key == "id"}


class FakeTemplates:
    """Records: `created` (accepted create bodies), `edited` (accepted edits), `listed` (list queries), `templates`
    (by name and language)."""

    def __init__(self, server: FakeWhatsApp, waba_id: str) -> None:
        self.server = server
        self.waba_id = waba_id
        self.templates: dict[tuple[str, str], StoredTemplate] = {}
        self.created: list[dict[str, Any]] = []
        self.listed: list[dict[str, str]] = []
        self.edited: list[dict[str, Any]] = []
        self.refuse_next: list[str] = []
        """Reasons to refuse the next creations with, as Meta refuses a body it will not review."""

    def add(self, name: str, language: str, status: str = "APPROVED", category: str = "UTILITY") -> StoredTemplate:
        """A template already on the account (made by hand in WhatsApp Manager)."""
        template = StoredTemplate(str(1_000_000_000 + len(self.templates)), name, language, category,
                                  [{"type": "BODY", "text": "Hello {{1}}, from the office."}], status)
        self.templates[name, language] = template
        return template

    def review(self, name: str, language: str, status: str, reason: str = "NONE") -> dict[str, Any]:
        """Meta decides on a template: its new state, and the webhook body Meta posts about it."""
        assert status in STATUSES, status
        template = self.templates[name, language]
        template.status, template.rejected_reason = status, reason if status == "REJECTED" else "NONE"
        return template_status_update(template.name, template.language, status, template_id=template.id,
                                      reason=reason, waba_id=self.waba_id)

    async def handle(self, request: web.Request, waba_id: str, where: str) -> web.Response:
        if waba_id != self.waba_id:
            return self.server._reject([f"unknown business account id {waba_id!r} (expected {self.waba_id})"],
                                       where, subcode=33)
        if request.method == "GET":
            return self._list(dict(request.query), where)
        if request.method != "POST":
            return self.server._reject([f"unsupported method {where}"], where, subcode=33)
        try:
            body = json.loads(await request.read())
        except ValueError:
            return self.server._reject(["body is not JSON"], where)
        violations = check_template_create(body)
        if violations:
            return self.server._reject(violations, where)
        if (body["name"], body["language"]) in self.templates:
            return self.server._refuse(100, "Invalid parameter", _EXISTS_SUBCODE,
                                       f"Message template {body['name']!r} already exists in {body['language']}")
        if self.refuse_next:
            return self.server._refuse(100, "Invalid parameter", 2388299, self.refuse_next.pop(0))
        self.created.append(body)
        template = StoredTemplate(str(2_000_000_000 + len(self.created)), body["name"], body["language"],
                                  body["category"], body["components"])
        self.templates[template.name, template.language] = template
        return web.json_response({"id": template.id, "status": template.status, "category": template.category})

    async def edit(self, request: web.Request, template_id: str, where: str) -> web.Response:
        """`POST /{template-id}`: a template edited (its components, perhaps its category) goes back to review."""
        template = next((t for t in self.templates.values() if t.id == template_id), None)
        if template is None or request.method != "POST":
            return self.server._reject([f"unsupported endpoint {where}: no template {template_id}"], where, subcode=33)
        try:
            body = json.loads(await request.read())
        except ValueError:
            return self.server._reject(["body is not JSON"], where)
        violations = check_template_edit(body)
        if violations:
            return self.server._reject(violations, where)
        if template.status not in ("APPROVED", "REJECTED", "PAUSED"):
            return self.server._refuse(100, "Invalid parameter", 2388035,
                                       f"A template {template.status} cannot be edited")
        self.edited.append(body)
        template.components, template.category = body["components"], body.get("category", template.category)
        template.status, template.rejected_reason = "PENDING", "NONE"
        return web.json_response({"success": True})

    def _list(self, query: dict[str, str], where: str) -> web.Response:
        violations = check_template_list(query)
        if violations:
            return self.server._reject(violations, where)
        self.listed.append(query)
        fields = [f for f in query.get("fields", "").split(",") if f]
        limit = int(query.get("limit", "25"))
        start = int(query.get("after", "0") or 0)
        every = list(self.templates.values())
        page = every[start:start + limit]
        answer: dict[str, Any] = {"data": [template.listed(fields) for template in page],
                                  "paging": {"cursors": {"before": str(start), "after": str(start + len(page))}}}
        if start + len(page) < len(every):
            answer["paging"]["next"] = f"{self.server.graph_url}/{self.waba_id}/message_templates?after="
            answer["paging"]["next"] += str(start + len(page))
        return web.json_response(answer)
