"""The staff side of a question in the dashboard, through the real app over HTTP on SQLite and PostgreSQL: the
canned answers page, putting one in a reply (with and without JavaScript), giving a question to another staff
member, and what the page shows beside the thread."""

from __future__ import annotations

import re

import httpx
from sqlalchemy import select

from bot.engine.runtime import Runtime
from models.canned_answers import CannedAnswer
from models.tickets import Ticket
from models.users import Role
from tests.conftest import Clock
from tests.people import SITI, opening_with_applicants
from tests.test_canned_answers import audited
from tests.test_dashboard_access import link_for, office_member, signed_in
from tests.test_dashboard_access import web as web  # noqa: PLC0414  (the fixture, under its own name)
from tests.test_dashboard_inbox import INBOX, a_question
from tests.test_dashboard_openings import CSRF, FORM_ID, as_role, found

CANNED = "/dasbor/jawaban-siap"
TEXTAREA = re.compile(r'<textarea id="text"[^>]*>([^<]*)</textarea>')


async def add(web: httpx.AsyncClient, title: str, text: str) -> httpx.Response:
    form = (await web.get(f"{CANNED}/baru")).text
    return await web.post(CANNED, data={"csrf_token": found(CSRF, form), "form_id": found(FORM_ID, form),
                                        "title": title, "text": text})


async def canned_ids(runtime: Runtime) -> list[int]:
    async with runtime.session_factory() as session:
        return list(await session.scalars(select(CannedAnswer.id).order_by(CannedAnswer.id)))


async def test_staff_manage_canned_answers_and_bad_input_is_shown_back_with_its_problem(
    runtime: Runtime, clock: Clock, web: httpx.AsyncClient
) -> None:
    await as_role(runtime, clock, web)
    empty = await web.get(CANNED)
    assert empty.status_code == 200 and "Belum ada jawaban siap pakai" in empty.text
    assert 'href="/dasbor/jawaban-siap"' in (await web.get(INBOX)).text, "linked from the inbox"

    long_title = "J" * 81
    refused = await add(web, long_title, "<b>Sertifikat</b> bisa diambil di kantor.")
    assert refused.status_code == 422 and long_title in refused.text and "paling banyak 80 karakter" in refused.text
    refused = await add(web, "Sertifikat", "x" * 2001)
    assert refused.status_code == 422 and "paling banyak 2.000 karakter" in refused.text
    assert (await add(web, "Sertifikat", "   ")).status_code == 422
    assert await canned_ids(runtime) == []

    added = await add(web, "Sertifikat", "<b>Sertifikat</b> bisa diambil di kantor.")
    assert added.status_code == 303
    listed = await web.get(CANNED + "?selesai=ditambah")
    assert "&lt;b&gt;Sertifikat&lt;/b&gt;" in listed.text and "sudah ditambahkan" in listed.text
    [number] = await canned_ids(runtime)

    form = (await web.get(f"{CANNED}/{number}/ubah")).text
    csrf = found(CSRF, form)
    edited = await web.post(f"{CANNED}/{number}/ubah", data={"csrf_token": csrf, "title": "Sertifikat jadi",
                                                             "text": "Sudah jadi."})
    assert edited.status_code == 303
    assert (await web.post(f"{CANNED}/{number}/ubah", data={"csrf_token": csrf, "title": "", "text": "x"})
            ).status_code == 422
    assert (await web.get(f"{CANNED}/999999/ubah")).status_code == 404
    confirm = await web.get(f"{CANNED}/{number}/hapus")
    assert confirm.status_code == 200 and "Ya, hapus" in confirm.text and "Sertifikat jadi" in confirm.text
    assert (await web.post(f"{CANNED}/{number}/hapus", data={"csrf_token": "forged"})).status_code == 403
    assert (await web.post(f"{CANNED}/{number}/hapus", data={"csrf_token": csrf})).status_code == 303
    assert (await web.post(f"{CANNED}/{number}/hapus", data={"csrf_token": csrf})).status_code == 404
    assert await canned_ids(runtime) == []
    assert await audited(runtime, "canned_answer") == ["canned_answer.add", "canned_answer.edit",
                                                      "canned_answer.delete"]


async def test_a_viewer_reads_canned_answers_but_changes_none(
    runtime: Runtime, clock: Clock, web: httpx.AsyncClient
) -> None:
    await as_role(runtime, clock, web)
    assert (await add(web, "Alamat", "Jl. Tanjung Raya No. 1.")).status_code == 303
    [number] = await canned_ids(runtime)
    web.cookies.clear()
    await signed_in(web, await link_for(runtime, clock, await office_member(runtime, clock, "pembaca",
                                                                            Role.VIEWER)))
    listed = await web.get(CANNED)
    assert listed.status_code == 200 and "Jl. Tanjung Raya No. 1." in listed.text and "/ubah" not in listed.text
    csrf = found(CSRF, listed.text)
    for path in (f"{CANNED}/baru", f"{CANNED}/{number}/ubah", f"{CANNED}/{number}/hapus"):
        assert (await web.get(path)).status_code == 403
    for path, data in ((CANNED, {"title": "x", "text": "y"}), (f"{CANNED}/{number}/ubah", {"title": "x", "text": "y"}),
                       (f"{CANNED}/{number}/hapus", {})):
        assert (await web.post(path, data={"csrf_token": csrf, **data})).status_code == 403
    assert await canned_ids(runtime) == [number]


async def test_staff_put_a_canned_answer_in_the_reply_with_or_without_javascript(
    runtime: Runtime, clock: Clock, web: httpx.AsyncClient
) -> None:
    question = await a_question(runtime, clock)
    await as_role(runtime, clock, web)
    await add(web, "Sertifikat", "Sertifikat bisa diambil hari Senin.")
    [number] = await canned_ids(runtime)
    page = (await web.get(f"{INBOX}/{question}")).text
    assert 'name="jawaban"' in page and ">Sertifikat</option>" in page
    without_js = await web.get(f"{INBOX}/{question}?jawaban={number}")
    assert found(TEXTAREA, without_js.text) == "Sertifikat bisa diambil hari Senin."
    csrf = found(CSRF, page)
    box = await web.post(f"{INBOX}/{question}/isian", data={"csrf_token": csrf, "jawaban": str(number),
                                                            "text": "Selamat pagi."})
    assert box.status_code == 200 and box.text.lstrip().startswith("<textarea")
    assert found(TEXTAREA, box.text) == "Selamat pagi.\n\nSertifikat bisa diambil hari Senin."
    for forged in ("999999", "abc", "1" * 20):
        shown = await web.get(f"{INBOX}/{question}?jawaban={forged}")
        assert shown.status_code == 200 and found(TEXTAREA, shown.text) == ""
    assert (await web.post(f"{INBOX}/999999/isian", data={"csrf_token": csrf, "jawaban": str(number)})
            ).status_code == 404
    assert (await web.post(f"{INBOX}/{question}/isian", data={"csrf_token": "forged", "jawaban": str(number)})
            ).status_code == 403


async def test_staff_give_a_question_to_a_colleague_and_a_forged_choice_changes_nothing(
    runtime: Runtime, clock: Clock, web: httpx.AsyncClient
) -> None:
    question = await a_question(runtime, clock)
    rekan = await office_member(runtime, clock, "rekan", Role.STAFF)
    reader = await office_member(runtime, clock, "pembaca", Role.VIEWER)
    await as_role(runtime, clock, web)
    page = (await web.get(f"{INBOX}/{question}")).text
    assert f'<option value="{rekan}">rekan</option>' in page and f'value="{reader}"' not in page
    csrf = found(CSRF, page)
    for forged in (str(reader), "999999", "abc", "-1", "1" * 20):
        refused = await web.post(f"{INBOX}/{question}/tetapkan", data={"csrf_token": csrf, "assignee": forged})
        assert refused.status_code == 422 and "Mohon pilih salah satu petugas" in refused.text
    assert (await web.post(f"{INBOX}/{question}/tetapkan", data={"csrf_token": "forged", "assignee": str(rekan)})
            ).status_code == 403
    assert await audited(runtime, "ticket") == []

    given = await web.post(f"{INBOX}/{question}/tetapkan", data={"csrf_token": csrf, "assignee": str(rekan)})
    assert given.status_code == 303
    assert f'<option value="{rekan}" selected>' in (await web.get(given.headers["location"])).text
    assert f"#{question}" not in (await web.get(f"{INBOX}?tab=mine")).text
    web.cookies.clear()
    await signed_in(web, await link_for(runtime, clock, rekan))
    assert f"#{question}" in (await web.get(f"{INBOX}?tab=mine")).text, "it is theirs now"
    theirs = found(CSRF, (await web.get(f"{INBOX}/{question}")).text)
    nobody = await web.post(f"{INBOX}/{question}/tetapkan", data={"csrf_token": theirs, "assignee": ""})
    assert nobody.status_code == 303
    async with runtime.session_factory() as session:
        ticket = await session.get(Ticket, question)
        assert ticket is not None and ticket.assigned_to is None
    assert await audited(runtime, "ticket") == ["ticket.assign", "ticket.assign"]

    web.cookies.clear()
    await signed_in(web, await link_for(runtime, clock, reader))
    shown = await web.get(f"{INBOX}/{question}")
    assert shown.status_code == 200 and 'name="assignee"' not in shown.text
    assert (await web.post(f"{INBOX}/{question}/tetapkan", data={"csrf_token": found(CSRF, shown.text),
                                                                 "assignee": str(rekan)})).status_code == 403
    assert (await web.post(f"{INBOX}/{question}/isian", data={"csrf_token": found(CSRF, shown.text)})
            ).status_code == 403


async def test_beside_the_thread_every_office_role_reads_the_askers_applications_masked(
    runtime: Runtime, clock: Clock, web: httpx.AsyncClient
) -> None:
    await opening_with_applicants(runtime, clock, SITI)
    question = await a_question(runtime, clock)
    await as_role(runtime, clock, web, Role.VIEWER)
    shown = await web.get(f"{INBOX}/{question}")
    assert "Tentang penanya" in shown.text and "Menjahit Pakaian" in shown.text and "Pelatihan" in shown.text
    assert "Terkirim, menunggu seleksi" in shown.text and "Posisi di obrolan" in shown.text
    assert "Siti Rahmawati" not in shown.text and "6281251000001" not in shown.text
