"""`GET /metrics` scraped from the real app (issue 17, Observability): what the process counts (messages handled
and their latency, sends by result, 429s and the pauses they cause) and what the database holds at scrape time
(the outbox's depth and oldest message, due follow-up fires, broadcasts under way), on SQLite and PostgreSQL; the
scrape still answers when the database does not, and asks for the bearer token when METRICS_TOKEN is set."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta

import httpx
import pytest
from aiogram import Bot
from fastapi import FastAPI
from hypothesis import given
from hypothesis import strategies as st
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import update

from bot.channels.base import DeliveryError
from bot.channels.rate_limits import SendRateLimiter
from bot.channels.whatsapp.channel import WhatsAppChannel, WhatsAppConfig
from bot.engine.messages import Reply
from bot.engine.runtime import Runtime
from bot.metrics import ProcessMetrics
from bot.metrics_endpoint import bearer_matches
from bot.serve import web_server
from bot.settings import Settings, load_settings
from bot.webhooks import create_app
from bot.wiring import build_runtime
from jobs.broadcasts import send_broadcasts
from models.audiences import Audience
from models.broadcasts import BroadcastDelivery, DeliveryStatus, create_broadcast
from models.users import Role, set_role
from tests.alumni import make_alumnus
from tests.chat import CHANNEL, ChatUser, RecordingChannel
from tests.conftest import TEST_KEY, Clock, RuntimeFactory
from tests.fakes.engine_port import FakePort
from tests.fakes.telegram_server import FakeTelegram
from tests.fakes.whatsapp_server import FakeWhatsApp
from tests.telegram_chat import ConnectedAdapter
from tests.test_follow_up_fires import COMPLETED, FIRST_DUE
from tests.test_telegram_adapter import TOKEN
from tests.test_telegram_sending import VirtualTime
from tests.test_whatsapp_send import TO, FakeTime

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def served_app(settings: Settings, runtime: Runtime) -> FastAPI:
    """The app as `python -m bot run` serves it, in every mode."""
    app = web_server(settings, runtime).config.app
    assert isinstance(app, FastAPI)
    return app


async def scrape(app: FastAPI, *, token: str | None = None) -> Samples:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bot") as client:
        response = await client.get("/metrics", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain; version=")
    return {(sample.name, frozenset(sample.labels.items())): sample.value
            for family in text_string_to_metric_families(response.text) for sample in family.samples}


async def metrics(runtime: Runtime) -> Samples:
    return await scrape(create_app(runtime=runtime))


def value(samples: Samples, name: str, **labels: str) -> float | None:
    return samples.get((f"sahabat_kerja_{name}", frozenset(labels.items())))


@dataclass
class FailingChannel(RecordingChannel):
    """Refuses every send, for now or (`permanent`) for good."""

    permanent: bool = False
    tried: list[str] = field(default_factory=list)

    async def send(self, address: str, reply: Reply) -> Sequence[str]:
        self.tried.append(address)
        raise DeliveryError("the platform is down", permanent=self.permanent)


async def test_messages_handled_are_counted_and_timed_and_their_replies_counted_as_sent(
    runtime: Runtime, channel: RecordingChannel
) -> None:
    before = await metrics(runtime)
    assert value(before, "database_up") == 1
    assert value(before, "message_handling_seconds_count", channel=CHANNEL) is None, "no message yet on it"
    assert value(before, "sends_total", channel="telegram", result="sent") == 0, "known channels start at 0"

    siti = ChatUser(runtime, channel, "siti")
    await siti.send("/start")
    await siti.send("halo")
    await runtime.delivery.flush()  # the "sent" marks are batched (a served bot writes them when idle)
    after = await metrics(runtime)
    assert value(after, "message_handling_seconds_count", channel=CHANNEL) == 2
    assert (value(after, "message_handling_seconds_sum", channel=CHANNEL) or 0) > 0
    assert value(after, "message_handling_seconds_bucket", channel=CHANNEL, le="+Inf") == 2
    assert value(after, "sends_total", channel=CHANNEL, result="sent") == len(channel.sent) > 0
    assert value(after, "sends_total", channel=CHANNEL, result="retry") is None
    assert value(after, "outbox_pending", channel=CHANNEL) == 0
    assert value(after, "outbox_oldest_pending_age_seconds", channel="whatsapp") == 0


async def test_a_message_that_cannot_go_waits_in_the_outbox_and_its_age_grows(
    make_runtime: RuntimeFactory, clock: Clock
) -> None:
    down = FailingChannel()
    runtime = make_runtime(down)
    await ChatUser(runtime, down, "siti").send("/start")
    clock.advance(minutes=15)
    samples = await metrics(runtime)
    waiting = value(samples, "outbox_pending", channel=CHANNEL)
    assert waiting is not None and waiting >= 1
    assert value(samples, "outbox_oldest_pending_age_seconds", channel=CHANNEL) == 15 * 60
    assert value(samples, "sends_total", channel=CHANNEL, result="retry") == len(down.tried) > 0

    down.permanent = True
    clock.advance(minutes=5)
    assert await runtime.delivery.sweep() == waiting
    samples = await metrics(runtime)
    assert value(samples, "sends_total", channel=CHANNEL, result="failed") == waiting
    assert value(samples, "outbox_pending", channel=CHANNEL) == 0, "given up: no longer waiting"
    assert value(samples, "outbox_oldest_pending_age_seconds", channel=CHANNEL) == 0


async def test_due_follow_up_fires_and_broadcast_progress_are_read_at_scrape_time(
    runtime: Runtime, clock: Clock
) -> None:
    await make_alumnus(runtime, clock, "ani", completed_on=COMPLETED)
    samples = await metrics(runtime)
    assert value(samples, "follow_up_fires_due") == 0
    assert value(samples, "broadcasts_sending") == 0

    clock.now = FIRST_DUE + timedelta(hours=1)  # the job has not run: one check-in waits, an hour late
    async with runtime.session_factory() as session, session.begin():
        staff = await set_role(session, CHANNEL, "petugas", Role.STAFF, locale="en", now=clock())
        broadcast = await create_broadcast(session, author_id=staff.id, text_id="Info", text_en=None,
                                           opening_code=None, audience=Audience(), scheduled_at=clock(), now=clock())
    samples = await metrics(runtime)
    assert value(samples, "follow_up_fires_due") == 1
    assert value(samples, "follow_up_oldest_due_age_seconds") == 3600
    assert value(samples, "broadcasts_sending") == 1
    progress = {state: value(samples, "broadcast_recipients", broadcast=str(broadcast.id), state=state)
                for state in ("pending", "queued", "sent", "skipped", "unreachable")}
    assert progress == {"pending": 2, "queued": 0, "sent": 0, "skipped": 0, "unreachable": 0}
    assert broadcast.total == 2, "the alumnus and the author"

    async with runtime.session_factory() as session, session.begin():  # the author opted out meanwhile
        await session.execute(update(BroadcastDelivery).where(BroadcastDelivery.user_id == staff.id)
                              .values(status=DeliveryStatus.SKIPPED))
    samples = await metrics(runtime)
    assert value(samples, "broadcast_recipients", broadcast=str(broadcast.id), state="pending") == 1
    assert value(samples, "broadcast_recipients", broadcast=str(broadcast.id), state="skipped") == 1

    await send_broadcasts(runtime)
    samples = await metrics(runtime)
    assert value(samples, "broadcasts_sending") == 0
    assert value(samples, "broadcast_recipients", broadcast=str(broadcast.id), state="pending") is None
    assert value(samples, "sends_total", channel=CHANNEL, result="sent") == 1 + 1, "one recipient, one report"


async def test_a_429_is_counted_with_the_pause_it_caused(make_runtime: RuntimeFactory) -> None:
    time = VirtualTime()
    async with FakeTelegram(token=TOKEN) as tg:
        bot = Bot(TOKEN, session=tg.session(timeout=0.3))
        try:
            runtime = make_runtime()
            adapter = ConnectedAdapter(bot, runtime, time.budget(bot_rate=1000, chat_rate=1000))
            tg.fail_next("sendMessage", status=429, retry_after=3)
            await adapter.channel.send("501", Reply("Halo"))
        finally:
            await bot.session.close()
    samples = await metrics(runtime)
    assert value(samples, "rate_limited_total", channel="telegram") == 1
    assert value(samples, "send_pauses_total", channel="telegram") == 1
    assert value(samples, "send_paused_seconds_total", channel="telegram") == 3
    assert value(samples, "rate_limited_total", channel="whatsapp") == 0


async def test_whatsapps_throttling_pauses_the_number_and_its_pair_rate_does_not() -> None:
    meter, time = ProcessMetrics(), FakeTime()
    async with FakeWhatsApp() as wa:
        config = WhatsAppConfig(token=wa.token, phone_number_id=wa.phone_number_id, api_base=wa.base_url)
        channel = WhatsAppChannel(config, port=FakePort(meter=meter), sleep=time.sleep,
                                  limiter=SendRateLimiter(config.rate_per_second, clock=time, sleep=time.sleep))
        try:
            for code in (130429, 131056):  # the number's throughput; one pair's rate
                wa.fail_next(code=code)
                with pytest.raises(DeliveryError):
                    await channel.send(TO, Reply("Halo"))
        finally:
            await channel.aclose()
    counted = meter.registry.get_sample_value
    assert counted("sahabat_kerja_rate_limited_total", {"channel": "whatsapp"}) == 2
    assert counted("sahabat_kerja_send_pauses_total", {"channel": "whatsapp"}) == 1
    assert counted("sahabat_kerja_send_paused_seconds_total", {"channel": "whatsapp"}) == config.throttle_backoff_s


def unreachable_database_settings() -> Settings:
    return load_settings(database_url="postgresql+asyncpg://postgres@127.0.0.1:1/none", nik_encryption_key=TEST_KEY,
                         _env_file=None)


async def test_the_scrape_answers_when_the_database_does_not() -> None:
    runtime = build_runtime(unreachable_database_settings())
    try:
        runtime.meter.send_result("telegram", "sent")
        samples = await metrics(runtime)
    finally:
        await runtime.aclose()
    assert value(samples, "database_up") == 0
    assert value(samples, "sends_total", channel="telegram", result="sent") == 1, "the process's own counts stay"
    assert value(samples, "outbox_pending", channel="telegram") is None, "nothing made up"


@pytest.mark.parametrize("authorization", [None, "Bearer wrong", "Basic c2VjcmV0", "Bearer", "bearer  "])
async def test_with_a_token_set_the_scrape_needs_it(authorization: str | None, app_settings: Settings,
                                                    runtime: Runtime) -> None:
    settings = load_settings(database_url=app_settings.database_url, nik_encryption_key=TEST_KEY, _env_file=None,
                             metrics_token="s3cret-token")
    app = served_app(settings, runtime)
    headers = {"Authorization": authorization} if authorization is not None else {}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bot") as client:
        refused = await client.get("/metrics", headers=headers)
    assert refused.status_code == 401 and refused.headers["www-authenticate"].startswith("Bearer")
    assert "sahabat_kerja" not in refused.text
    assert value(await scrape(app, token="s3cret-token"), "database_up") == 1


async def test_without_a_token_the_served_app_answers_anyone_who_reaches_it(
    app_settings: Settings, runtime: Runtime
) -> None:
    assert app_settings.metrics_token is None and app_settings.web_host == "127.0.0.1"
    assert value(await scrape(served_app(app_settings, runtime)), "database_up") == 1


@given(st.text(max_size=40), st.text(min_size=1, max_size=20))
def test_only_the_exact_bearer_token_opens_the_scrape(authorization: str, token: str) -> None:
    scheme, _, given_token = authorization.partition(" ")
    expected = scheme.lower() == "bearer" and given_token.strip() == token
    assert bearer_matches(authorization, token) is expected
    assert bearer_matches(f"Bearer {token}", token) is (token.strip() == token)
    assert not bearer_matches(None, token)
