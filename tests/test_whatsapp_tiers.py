"""The WhatsApp number's limits: its messaging tier spreads a large broadcast over days (said before sending and
in the progress), Meta's bad news pauses WhatsApp broadcasts until staff resume them, and spam-rate refusals
slow the whole number down instead of being retried at once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from bot.channels.base import DeliveryError, NumberEvent
from bot.channels.rate_limits import SendRateLimiter
from bot.channels.whatsapp.account_events import WORD_MAX, number_events
from bot.channels.whatsapp.channel import WhatsAppChannel, WhatsAppConfig
from bot.channels.whatsapp.webhook import WEBHOOK_PATH
from bot.engine.channel_port import RuntimePort
from bot.engine.messages import Reply
from bot.engine.runtime import Runtime
from bot.settings import Settings, SettingsError, load_settings
from bot.webhooks import create_app
from handlers.broadcasts.pacing import plan_lines, waiting_lines
from jobs.broadcasts import send_broadcasts
from jobs.whatsapp_number import check_whatsapp_number
from models.audiences import Audience, Group
from models.broadcasts import Broadcast, BroadcastDelivery, BroadcastStatus, DeliveryStatus, create_broadcast
from models.opening_hours import OpeningHours, is_open
from models.sending_days import DAY, OfficeClock, split_into_days
from models.whatsapp_number import Standing, WhatsAppNumberEvent, WhatsAppNumberState
from services.whatsapp_pacing import WhatsAppPlan, plan_for_broadcast
from tests.chat import RecordingChannel
from tests.conftest import TEST_KEY, Clock, RuntimeFactory
from tests.fakes import whatsapp_webhooks as hooks
from tests.fakes.engine_port import FakePort
from tests.fakes.whatsapp_server import FakeWhatsApp
from tests.people import Person, job_seeker
from tests.test_dashboard_openings import CSRF, as_role, found
from tests.test_selection import staff_member
from tests.test_whatsapp_conversation import wired
from tests.test_whatsapp_send import FakeTime

WITA = ZoneInfo("Asia/Makassar")
OFFICE = OfficeClock("Asia/Makassar", OpeningHours(frozenset(range(5)), time(8), time(16)))
MONDAY_8 = datetime(2026, 11, 23, 8, 0, tzinfo=WITA)


# --- the arithmetic ------------------------------------------------------------------------------------------


@given(
    count=st.integers(0, 50_000),
    limit=st.one_of(st.none(), st.integers(1, 20_000)),
    used=st.integers(0, 25_000),
    minutes=st.integers(0, 7 * 24 * 60),
    used_minutes_ago=st.integers(1, 24 * 60 - 1),
)
def test_portions_cover_everyone_within_the_tier_and_a_day_apart_at_opening_hours(
    count: int, limit: int | None, used: int, minutes: int, used_minutes_ago: int
) -> None:
    start = MONDAY_8 + timedelta(minutes=minutes)
    oldest = start - timedelta(minutes=used_minutes_ago)
    portions = split_into_days(count, limit=limit, used=used, oldest_use=oldest, start=start, clock=OFFICE)
    assert sum(portion.count for portion in portions) == count
    assert all(portion.count > 0 for portion in portions)
    if limit is None or not portions:
        assert len(portions) <= 1
        return
    assert all(portion.count <= limit for portion in portions)
    first, *later = portions
    if first.start == start:
        assert first.count <= max(0, limit - used), "today only what the rolling day has left"
    for before, after in zip(portions, later, strict=False):
        assert after.start >= before.start + DAY, "a portion waits until the one before is a day old"
    assert OFFICE.opening is not None
    for portion in later:
        assert is_open(OFFICE.opening, portion.start, OFFICE.timezone), "held portions go at opening hours"
    if len(portions) > 1 and first.start == start:
        assert first.count == limit - used, "today's allowance is used in full before anyone waits"


def test_the_example_from_the_issue_twelve_thousand_on_a_ten_thousand_tier() -> None:
    portions = split_into_days(12_000, limit=10_000, used=0, oldest_use=None, start=MONDAY_8, clock=OFFICE)
    assert [(p.start, p.count) for p in portions] == [(MONDAY_8, 10_000), (MONDAY_8 + DAY, 2_000)]
    friday_evening = datetime(2026, 11, 27, 18, 0, tzinfo=WITA)
    weekend = split_into_days(3, limit=1, used=0, oldest_use=None, start=friday_evening, clock=OFFICE)
    assert [p.start for p in weekend] == [
        friday_evening,
        datetime(2026, 11, 30, 8, 0, tzinfo=WITA),
        datetime(2026, 12, 1, 8, 0, tzinfo=WITA),
    ], "closed on the weekend"


def test_the_preview_says_the_days_in_both_languages(runtime: Runtime) -> None:
    now = MONDAY_8.astimezone(UTC)
    portions = split_into_days(12_000, limit=10_000, used=0, oldest_use=None, start=now, clock=OFFICE)
    plan = WhatsAppPlan(12_000, Standing(10_000, True, "GREEN", None, None, None), portions)
    lines = plan_lines(plan, runtime.services.office, now)
    rendered = {locale: runtime.catalogs.translator(locale).render(lines[0]) for locale in ("id", "en")}
    assert rendered["en"] == (
        "12000 recipients on WhatsApp, more than the number may start conversations with in "
        "a day (10000): 10000 today, 2000 tomorrow from 08:00."
    )
    assert rendered["id"] == (
        "12000 penerima di WhatsApp, lebih dari yang boleh dihubungi nomor ini dalam sehari "
        "(10000): 10000 hari ini, 2000 besok mulai pukul 08.00."
    )
    paused = WhatsAppPlan(5, Standing(10_000, True, "RED", "FLAGGED", None, None), portions[:1])
    assert "Siaran WhatsApp sedang dijeda (FLAGGED)" in runtime.catalogs.translator("id").render(
        plan_lines(paused, runtime.services.office, now)[0]
    )


# --- the broadcast job ---------------------------------------------------------------------------------------

WA_SEEKERS = [
    Person(f"62812510000{n:02d}", f"Pencari {n}", f"63090145089900{n:02d}", f"+62812510000{n:02d}") for n in range(1, 6)
]


@pytest.fixture
def wa_channel() -> RecordingChannel:
    return RecordingChannel(name="whatsapp")


@pytest.fixture
def app_settings(app_settings: Settings) -> Settings:
    """Until Meta says otherwise, the number may write to 3 new people a day."""
    return app_settings.model_copy(update={"whatsapp_daily_unique_recipients": 3})


@pytest.fixture
def tiered(make_runtime: RuntimeFactory, channel: RecordingChannel, wa_channel: RecordingChannel) -> Runtime:
    """A runtime with a chat channel and a recording WhatsApp."""
    return make_runtime(channel, wa_channel)


async def broadcast_to_everyone(runtime: Runtime, clock: Clock) -> int:
    async with runtime.session_factory() as session, session.begin():
        broadcast = await create_broadcast(
            session,
            author_id=None,
            text_id="Pelatihan baru!",
            text_en=None,
            opening_code=None,
            audience=Audience(Group.JOB_SEEKERS),
            scheduled_at=clock(),
            now=clock(),
        )
        return broadcast.id


async def pending_and_status(runtime: Runtime, broadcast_id: int) -> tuple[int, str, datetime | None]:
    async with runtime.session_factory() as session:
        pending = await session.scalar(
            select(func.count())
            .select_from(BroadcastDelivery)
            .where(BroadcastDelivery.broadcast_id == broadcast_id, BroadcastDelivery.status == DeliveryStatus.PENDING)
        )
        broadcast = await session.get(Broadcast, broadcast_id)
        assert broadcast is not None
        return int(pending or 0), broadcast.status, broadcast.held_until


async def test_the_job_obeys_the_tier_over_two_days(
    tiered: Runtime, channel: RecordingChannel, wa_channel: RecordingChannel, clock: Clock
) -> None:
    for person in WA_SEEKERS:
        await job_seeker(tiered, clock, person, channel="whatsapp")
    await job_seeker(tiered, clock, Person("nadia", "Nadia", "6309014508990077", "+6281251000077"))
    broadcast_id = await broadcast_to_everyone(tiered, clock)
    await send_broadcasts(tiered)
    assert len(wa_channel.sent) == 3 and len(channel.to("nadia")) == 1, "the chat channel is not held back"
    pending, status, held_until = await pending_and_status(tiered, broadcast_id)
    assert (pending, status) == (2, BroadcastStatus.SENDING)
    assert held_until == clock() + DAY, "a day after the first sends (09:00 WITA, within opening hours)"
    staff = await staff_member(tiered, channel, clock)
    await staff.send("/broadcast")
    await staff.tap("Siaran terbaru")
    await staff.tap(f"#{broadcast_id}")
    assert "2 penerima di WhatsApp menunggu, 2 besok mulai pukul 09.00." in staff.text, "the chat's detail too"

    clock.advance(hours=23)
    await send_broadcasts(tiered)
    assert len(wa_channel.sent) == 3, "not before the day is over"
    clock.advance(hours=1, minutes=1)
    await send_broadcasts(tiered)
    assert len(wa_channel.sent) == 5
    assert await pending_and_status(tiered, broadcast_id) == (0, BroadcastStatus.DONE, held_until)
    assert len({address for address, _reply in wa_channel.sent}) == 5, "nobody twice"


async def progress_words(runtime: Runtime, broadcast_id: int) -> str:
    async with runtime.session_factory() as session:
        broadcast = await session.get(Broadcast, broadcast_id)
        assert broadcast is not None
        plan = await plan_for_broadcast(
            session, broadcast, now=runtime.clock(), fallback=3, clock=OfficeClock.of(runtime.services.office)
        )
    lines = waiting_lines(plan, broadcast, runtime.services.office, runtime.clock())
    return "\n".join(runtime.catalogs.translator("id").render(line) for line in lines)


async def test_the_progress_says_who_waits_for_the_next_day_and_for_a_slow_down(
    tiered: Runtime, wa_channel: RecordingChannel, clock: Clock
) -> None:
    for person in WA_SEEKERS:
        await job_seeker(tiered, clock, person, channel="whatsapp")
    broadcast_id = await broadcast_to_everyone(tiered, clock)
    assert await progress_words(tiered, broadcast_id) == ""
    await send_broadcasts(tiered)
    assert await progress_words(tiered, broadcast_id) == (
        "Batas harian nomor sudah tercapai: 2 penerima di WhatsApp menunggu, 2 besok mulai pukul 09.00."
    )
    await RuntimePort(tiered).record_number_event(
        "whatsapp", NumberEvent(kind="slowed", event="131048", slowed_for_s=600.0, detail={"code": 131048})
    )
    assert await progress_words(tiered, broadcast_id) == (
        "Batas harian nomor sudah tercapai: 2 penerima di WhatsApp menunggu, 2 besok mulai pukul 09.00.\n"
        "WhatsApp meminta nomor ini memperlambat pengiriman (WhatsApp 131048): pengiriman di WhatsApp menunggu "
        "sampai pukul 09.10."
    )
    state = await number(tiered)
    assert state is not None and state.paused_reason is None, "a slow-down is not a pause"


async def test_the_chat_preview_tells_staff_the_days_it_takes(
    tiered: Runtime, channel: RecordingChannel, clock: Clock
) -> None:
    for person in WA_SEEKERS:
        await job_seeker(tiered, clock, person, channel="whatsapp")
    staff = await staff_member(tiered, channel, clock)
    await staff.send("/broadcast")
    await staff.tap("Tulis siaran baru")
    await staff.send("Pendaftaran pelatihan menjahit dibuka!")
    await staff.tap("Lewati")
    await staff.tap("Tanpa tautan")
    await staff.tap("Tanpa berkas")
    await staff.tap("Pencari kerja terdaftar")
    await staff.tap("Selesai: lihat pratinjau")
    assert (
        "5 penerima di WhatsApp, lebih dari yang boleh dihubungi nomor ini dalam sehari (3): 3 hari ini, "
        "2 besok mulai pukul 09.00."
    ) in staff.text
    await staff.tap("Kirim sekarang")
    assert "3 hari ini, 2 besok mulai pukul 09.00" in staff.text, "and again before it is confirmed"


# --- Meta's reports on the number ----------------------------------------------------------------------------


@pytest.fixture
async def wa() -> AsyncIterator[FakeWhatsApp]:
    async with FakeWhatsApp() as fake:
        yield fake


@pytest.fixture
async def meta(wa: FakeWhatsApp, runtime: Runtime, app_settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """The WhatsApp webhook wired into a runtime that also has the chat channel staff use."""
    app, connection = wired(runtime, wa, app_settings)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bot") as http:
        yield http
    await connection.close()


async def post_signed(http: httpx.AsyncClient, payload: dict[str, object], secret: str) -> None:
    raw, headers = hooks.signed_webhook(payload, secret)
    assert (await http.post(WEBHOOK_PATH, content=raw, headers=headers)).status_code == 200


async def number(runtime: Runtime) -> WhatsAppNumberState | None:
    async with runtime.session_factory() as session:
        return await session.get(WhatsAppNumberState, "whatsapp")


async def test_a_flagged_number_pauses_whatsapp_broadcasts_tells_staff_and_staff_resume(
    runtime: Runtime,
    channel: RecordingChannel,
    wa: FakeWhatsApp,
    meta: httpx.AsyncClient,
    clock: Clock,
) -> None:
    staff = await staff_member(runtime, channel, clock)
    await post_signed(meta, hooks.quality_update("UPGRADE", "TIER_10K", "TIER_1K"), wa.app_secret)
    state = await number(runtime)
    assert state is not None and state.tier == "TIER_10K" and state.paused_reason is None, "good news is kept"

    forged, headers = hooks.signed_webhook(hooks.quality_update("FLAGGED", "TIER_10K"), "wrong secret")
    assert (await meta.post(WEBHOOK_PATH, content=forged, headers=headers)).status_code == 401
    assert (await number(runtime)).paused_reason is None  # type: ignore[union-attr]

    await post_signed(meta, hooks.quality_update("FLAGGED", "TIER_10K"), wa.app_secret)
    state = await number(runtime)
    assert state is not None and state.paused_reason == "phone_number_quality_update FLAGGED TIER_10K"
    told = channel.to(staff.external_id)[-1].text
    assert told.startswith('Siaran WhatsApp dijeda: Meta melaporkan "phone_number_quality_update FLAGGED')
    await post_signed(
        meta,
        hooks.account_update("ACCOUNT_RESTRICTION", restriction_type="RESTRICTED_BIZ_INITIATED_MESSAGING"),
        wa.app_secret,
    )
    assert len(channel.to(staff.external_id)) == 1, "told once while it stays paused"
    async with runtime.session_factory() as session:
        kinds = [row.kind for row in await session.scalars(select(WhatsAppNumberEvent))]
    assert kinds == ["phone_number_quality_update"] * 2 + ["account_update"]

    await job_seeker(runtime, clock, WA_SEEKERS[0], channel="whatsapp")
    await job_seeker(runtime, clock, Person("nadia", "Nadia", "6309014508990077", "+6281251000077"))
    broadcast_id = await broadcast_to_everyone(runtime, clock)
    await send_broadcasts(runtime)
    assert len(channel.to("nadia")) == 1 and not wa.sent, "the chat channel goes on, WhatsApp waits"
    assert (await pending_and_status(runtime, broadcast_id))[:2] == (1, BroadcastStatus.SENDING)

    web = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_app(runtime=runtime)), base_url="http://dasbor.test"
    )
    async with web:
        await as_role(runtime, clock, web)
        overview = (await web.get("/dasbor")).text
        assert "Siaran WhatsApp sedang dijeda." in overview and "Lanjutkan siaran WhatsApp" in overview, \
            "where staff land after signing in"
        page = (await web.get(f"/dasbor/siaran/{broadcast_id}")).text
        assert "Siaran WhatsApp sedang dijeda." in page and "Lanjutkan siaran WhatsApp" in page
        assert "Dijeda di WhatsApp (phone_number_quality_update FLAGGED TIER_10K): 1 penerima menunggu" in page
        answer = await web.post("/dasbor/whatsapp/lanjutkan", data={"csrf_token": found(CSRF, page)})
        assert answer.status_code == 303
        assert "Siaran WhatsApp sedang dijeda." not in (await web.get("/dasbor/siaran")).text
        assert "Siaran WhatsApp sedang dijeda." not in (await web.get("/dasbor")).text
    wa.window_opened_for(WA_SEEKERS[0].external_id)
    await send_broadcasts(runtime)
    assert (await pending_and_status(runtime, broadcast_id))[:2] == (0, BroadcastStatus.DONE)


async def test_the_daily_check_reads_the_tier_and_a_lower_one_pauses(
    runtime: Runtime,
    channel: RecordingChannel,
    wa: FakeWhatsApp,
    meta: httpx.AsyncClient,
    clock: Clock,
) -> None:
    staff = await staff_member(runtime, channel, clock)
    assert await check_whatsapp_number(runtime) == 1
    assert wa.number_reads == [["messaging_limit_tier", "quality_rating", "status"]]
    wa.assert_clean()
    state = await number(runtime)
    assert state is not None and (state.tier, state.quality, state.paused_reason) == ("TIER_1K", "GREEN", None)
    wa.tier = "TIER_250"
    await check_whatsapp_number(runtime)
    assert (await number(runtime)).paused_reason == "checked: tier TIER_1K -> TIER_250"  # type: ignore[union-attr]
    assert "TIER_250" in channel.to(staff.external_id)[-1].text


# --- the sender ------------------------------------------------------------------------------------------------


async def test_a_spam_rate_refusal_slows_the_whole_number_down(wa: FakeWhatsApp) -> None:
    port = FakePort()
    clock = FakeTime()
    config = WhatsAppConfig(token=wa.token, phone_number_id=wa.phone_number_id, api_base=wa.base_url)
    sender = WhatsAppChannel(
        config, port=port, limiter=SendRateLimiter(80, clock=clock, sleep=clock.sleep), sleep=clock.sleep
    )
    try:
        for code in (131048, 131049):
            wa.fail_next(1, code=code)
            with pytest.raises(DeliveryError) as refused:
                await sender.send("6281251000001", Reply("Halo"))
            assert refused.value.retry_after == 600 and not refused.value.permanent, "not a hard retry"
            assert port.number_events[-1] == NumberEvent(
                kind="slowed", event=str(code), slowed_for_s=600.0, detail=port.number_events[-1].detail
            )
            clock.slept.clear()
            await sender.send("6281251000002", Reply("Halo"))
            assert sum(clock.slept) >= 599, "every send on the number waits out the pause"
    finally:
        await sender.aclose()
    wa.assert_clean()
    assert len(wa.sent) == 2


# --- settings and hostile reports ----------------------------------------------------------------------------


def test_the_rate_setting_has_its_new_name_and_keeps_its_old_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NIK_ENCRYPTION_KEY", TEST_KEY)
    monkeypatch.setenv("WHATSAPP_RATE_PER_SECOND", "500")
    assert load_settings(_env_file=None).whatsapp_messages_per_second == 500
    monkeypatch.delenv("WHATSAPP_RATE_PER_SECOND")
    monkeypatch.setenv("WHATSAPP_MESSAGES_PER_SECOND", "1000")
    assert load_settings(_env_file=None).model_dump()["whatsapp_messages_per_second"] == 1000
    monkeypatch.setenv("WHATSAPP_MESSAGES_PER_SECOND", "1001")
    with pytest.raises(SettingsError, match="WHATSAPP_MESSAGES_PER_SECOND"):
        load_settings(_env_file=None)


JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=300),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=30), children, max_size=5),
    max_leaves=30,
)


@given(
    value=st.dictionaries(
        st.sampled_from(
            [
                "event",
                "current_limit",
                "old_limit",
                "display_phone_number",
                "restriction_info",
                "violation_info",
                "phone_number",
            ]
        ),
        JSONISH,
    ),
    field=st.sampled_from(["phone_number_quality_update", "account_update", "messages"]),
)
def test_any_report_on_the_number_parses_to_short_words_or_nothing(value: dict[str, object], field: str) -> None:
    payload = {"object": "whatsapp_business_account", "entry": [{"changes": [{"field": field, "value": value}]}]}
    for event in number_events(payload):
        assert event.kind == field
        words = [event.event, event.tier, *event.detail.values()]
        assert all(w is None or isinstance(w, str) and len(w) <= WORD_MAX or isinstance(w, list) for w in words)
        assert all(len(w) <= WORD_MAX for w in event.detail.get("restrictions", []))
