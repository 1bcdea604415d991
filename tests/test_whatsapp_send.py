"""Sending over WhatsApp against the fake Graph API: pacing, throttling, the 24-hour window and errors."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from pydantic import SecretStr
from sqlalchemy import select

from bot.channels.base import DeliveryError, Recipient, TierUsage
from bot.channels.rate_limits import SendRateLimiter
from bot.channels.whatsapp.channel import WhatsAppChannel, WhatsAppConfig, window_is_open
from bot.channels.whatsapp.connect import whatsapp_config
from bot.channels.whatsapp.inbound import PageTap
from bot.channels.whatsapp.render import MoreRequest, more_row_id
from bot.engine.messages import STALE_BUTTON_TOKEN, Incoming, Purpose, RenderedOption, Reply
from bot.settings import Settings
from models.outbox import OutboxMessage
from tests.conftest import Clock, RuntimeFactory
from tests.fakes.engine_port import FakePort
from tests.fakes.whatsapp_server import FakeWhatsApp

TO = "6281234567890"
TEMPLATES = {"notification": {"id": "kabar_disnaker", "en": "office_news"},
             "check_in": {"id": "cek_bulanan", "en": "check_in_en"}}


class FakeTime:
    """A monotonic clock and a sleep that only moves it: pacing is checked without waiting."""

    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


@pytest.fixture
async def wa() -> AsyncIterator[FakeWhatsApp]:
    async with FakeWhatsApp() as fake:
        yield fake


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


ChannelFactory = Callable[..., WhatsAppChannel]


@pytest.fixture
async def make_channel(wa: FakeWhatsApp, fake_time: FakeTime) -> AsyncIterator[ChannelFactory]:
    made: list[WhatsAppChannel] = []

    def make(**kwargs: Any) -> WhatsAppChannel:
        config = WhatsAppConfig(token=wa.token, phone_number_id=wa.phone_number_id, api_base=wa.base_url,
                                templates=TEMPLATES, timeout_s=kwargs.pop("timeout_s", 5.0))
        config = replace(config, **kwargs.pop("config", {}))
        limiter = SendRateLimiter(config.rate_per_second, clock=fake_time, sleep=fake_time.sleep)
        port = FakePort(recipient_of=kwargs.pop("recipient", None), recall=kwargs.pop("recall", None),
                        **({"clock": kwargs.pop("clock")} if "clock" in kwargs else {}))
        channel = WhatsAppChannel(config, limiter=limiter, sleep=fake_time.sleep, port=port, **kwargs)
        made.append(channel)
        return channel

    yield make
    for channel in made:
        await channel.aclose()


def options(count: int, seq: int = 12) -> tuple[RenderedOption, ...]:
    return tuple(RenderedOption(f"{seq}|o{i}", f"Pilihan {i}") for i in range(1, count + 1))


async def test_replies_go_out_as_text_buttons_and_lists(wa: FakeWhatsApp, make_channel: ChannelFactory) -> None:
    channel = make_channel()
    await channel.send(TO, Reply("Halo"))
    await channel.send(TO, Reply("Lanjut?", options=options(2)))
    wamids = await channel.deliver(TO, Reply("Pilih", options=options(7)))
    wa.assert_clean()
    assert [b["type"] for b in wa.sent_to(TO)] == ["text", "interactive", "interactive"]
    assert [b["interactive"]["type"] for b in wa.sent[1:]] == ["button", "list"]
    assert len(wamids) == 1
    assert wamids[0].startswith("wamid.")


async def test_a_long_text_goes_out_in_order_without_breaking_words(
    wa: FakeWhatsApp, make_channel: ChannelFactory
) -> None:
    text = "\n".join(f"Baris {i}: lowongan operator produksi di Tanjung" for i in range(300))
    await make_channel().send(TO, Reply(text))
    wa.assert_clean()
    assert len(wa.sent) > 1
    assert "\n".join(b["text"]["body"] for b in wa.sent) == text


@pytest.mark.parametrize(("code", "wait"), [(130429, 2.0), (131056, 6.0)])
async def test_throttling_asks_the_outbox_to_wait(
    wa: FakeWhatsApp, make_channel: ChannelFactory, code: int, wait: float
) -> None:
    channel = make_channel()
    wa.fail_next(code=code)
    with pytest.raises(DeliveryError) as caught:
        await channel.send(TO, Reply("Halo"))
    assert not caught.value.permanent
    assert caught.value.retry_after == wait
    assert str(code) in str(caught.value)
    await channel.send(TO, Reply("Halo"))
    assert len(wa.sent) == 1


async def test_throughput_throttling_pauses_every_send_on_the_number(
    wa: FakeWhatsApp, make_channel: ChannelFactory, fake_time: FakeTime
) -> None:
    channel = make_channel()
    wa.fail_next(code=130429)
    with pytest.raises(DeliveryError):
        await channel.send(TO, Reply("Halo"))
    before = fake_time.now
    await channel.send("6289999999999", Reply("Halo"))
    assert fake_time.now - before >= 2.0


async def test_a_throttled_later_part_is_retried_here_so_earlier_parts_are_not_repeated(
    wa: FakeWhatsApp, make_channel: ChannelFactory
) -> None:
    channel = make_channel()
    text = "kata " * 1000 + "\nSetuju?"
    await channel.send(TO, Reply("Awal"))
    wa.sent.clear()

    original = channel._post  # the fault is injected exactly between the parts
    calls = 0

    async def post(address: str, message: Any) -> str:
        nonlocal calls
        calls += 1
        if calls == 2:
            wa.fail_next(code=130429)
        return await original(address, message)

    channel._post = post  # type: ignore[method-assign]
    await channel.send(TO, Reply(text, options=options(2)))
    wa.assert_clean()
    assert [b["type"] for b in wa.sent] == ["text", "text", "interactive"]
    assert len(wa.failed) == 1


async def test_a_closed_window_falls_back_to_the_template(wa: FakeWhatsApp, make_channel: ChannelFactory) -> None:
    channel = make_channel()
    wa.window_closed_for(TO)
    wamids = await channel.deliver(TO, Reply("Status lamaran Anda: Diterima.\nSelamat!", options=options(2)))
    wa.assert_clean()
    [failed_code] = [code for code, _ in wa.failed]
    assert failed_code == 131047
    [template] = wa.sent
    assert template["template"]["name"] == "kabar_disnaker"
    assert template["template"]["language"]["code"] == "id"
    assert template["template"]["components"][0]["parameters"][0]["text"] == (
        "Status lamaran Anda: Diterima. Selamat!")
    assert len(wamids) == 1


async def test_a_known_old_conversation_goes_straight_to_the_template_in_the_users_language(
    wa: FakeWhatsApp, make_channel: ChannelFactory, clock: Clock
) -> None:
    last_wrote = {TO: clock.now - timedelta(hours=25), "6289999999999": clock.now - timedelta(hours=2)}

    async def recipient(address: str) -> Recipient:
        return Recipient(locale="en", last_inbound_at=last_wrote[address])

    channel = make_channel(recipient=recipient, clock=clock)
    await channel.send(TO, Reply("Your application was accepted."))
    await channel.send("6289999999999", Reply("Your application was accepted."))
    assert wa.failed == []
    assert [b["type"] for b in wa.sent] == ["template", "text"]
    assert wa.sent[0]["template"]["name"] == "office_news"
    assert wa.sent[0]["template"]["language"]["code"] == "en"
    wa.assert_clean()


async def test_a_new_user_beyond_the_daily_tier_waits_for_the_next_day(
    wa: FakeWhatsApp, make_channel: ChannelFactory, clock: Clock
) -> None:
    oldest = clock.now - timedelta(hours=20)
    usage = {
        "6281200000001": TierUsage(unique_recipients=2, includes_this_user=False, oldest_at=oldest),
        "6281200000002": TierUsage(unique_recipients=2, includes_this_user=True, oldest_at=oldest),
        "6281200000003": TierUsage(unique_recipients=1, includes_this_user=False, oldest_at=oldest),
    }

    async def recipient(address: str) -> Recipient:
        return Recipient(locale="id", last_inbound_at=None, tier_usage=usage[address])

    channel = make_channel(recipient=recipient, clock=clock, config={"daily_unique_recipients": 2})
    with pytest.raises(DeliveryError) as caught:
        await channel.send("6281200000001", Reply("Pelatihan baru dibuka"))
    assert not caught.value.permanent
    assert caught.value.retry_after == pytest.approx(4 * 3600)
    await channel.send("6281200000002", Reply("Pelatihan baru dibuka"))  # already counted today
    await channel.send("6281200000003", Reply("Pelatihan baru dibuka"))  # still room
    assert [b["to"] for b in wa.sent] == ["6281200000002", "6281200000003"]
    unlimited = make_channel(recipient=recipient, clock=clock, config={"daily_unique_recipients": None})
    await unlimited.send("6281200000001", Reply("Pelatihan baru dibuka"))
    assert len(wa.sent) == 3


async def test_a_closed_window_without_a_template_fails_for_good(
    wa: FakeWhatsApp, make_channel: ChannelFactory
) -> None:
    channel = make_channel(config={"templates": {}})
    wa.window_closed_for(TO)
    with pytest.raises(DeliveryError) as caught:
        await channel.send(TO, Reply("Halo"))
    assert caught.value.permanent
    assert "template" in str(caught.value)


@pytest.mark.parametrize("status", [500, 503])
async def test_server_errors_are_retried(wa: FakeWhatsApp, make_channel: ChannelFactory, status: int) -> None:
    wa.fail_next(status=status)
    with pytest.raises(DeliveryError) as caught:
        await make_channel().send(TO, Reply("Halo"))
    assert not caught.value.permanent


async def test_a_hanging_server_is_a_retryable_timeout(wa: FakeWhatsApp, make_channel: ChannelFactory) -> None:
    wa.fail_next(hang=True)
    with pytest.raises(DeliveryError) as caught:
        await make_channel(timeout_s=0.2).send(TO, Reply("Halo"))
    assert not caught.value.permanent
    assert "in time" in str(caught.value)


async def test_other_client_errors_are_permanent(wa: FakeWhatsApp, make_channel: ChannelFactory) -> None:
    wa.fail_next(code=131026)
    with pytest.raises(DeliveryError) as caught:
        await make_channel().send(TO, Reply("Halo"))
    assert caught.value.permanent
    with pytest.raises(DeliveryError) as invalid:
        await make_channel().send("not-a-number", Reply("Halo"))
    assert invalid.value.permanent


async def test_a_wrong_token_waits_for_staff_to_fix_it(wa: FakeWhatsApp, make_channel: ChannelFactory) -> None:
    with pytest.raises(DeliveryError) as caught:
        await make_channel(config={"token": "expired"}).send(TO, Reply("Halo"))
    assert not caught.value.permanent
    assert caught.value.retry_after == 300.0


async def test_a_more_tap_shows_the_next_page_of_the_current_list(
    wa: FakeWhatsApp, make_channel: ChannelFactory
) -> None:
    reply = Reply("Pilih lowongan", options=options(25))

    async def recall(address: str) -> Reply | None:
        return reply if address == TO else None

    channel = make_channel(recall=recall)
    await channel.send(TO, reply)
    first_rows = wa.sent[0]["interactive"]["action"]["sections"][0]["rows"]
    more_id = first_rows[-1]["id"]
    await channel.show_page(PageTap(TO, MoreRequest(1, more_id.rsplit(":", 1)[-1]), "wamid.T"))
    await channel.show_page(PageTap(TO, MoreRequest(1, "99|o1"), "wamid.U"))  # an older list: a stale button
    await channel.show_page(PageTap("6289999999999", MoreRequest(1, ""), "wamid.V"))
    wa.assert_clean()
    assert len(wa.sent) == 2
    port = channel._port
    assert isinstance(port, FakePort)
    assert [(m.external_id, m.option, m.event_id) for m in port.handled] == [
        (TO, STALE_BUTTON_TOKEN, "wamid.U"), ("6289999999999", STALE_BUTTON_TOKEN, "wamid.V")]
    second_rows = wa.sent[1]["interactive"]["action"]["sections"][0]["rows"]
    assert second_rows[0]["id"] == "12|o10"
    assert second_rows[-1]["id"] == more_row_id(2, "12|o19")


async def test_the_rate_limiter_keeps_to_its_rate(fake_time: FakeTime) -> None:
    limiter = SendRateLimiter(80, clock=fake_time, sleep=fake_time.sleep)
    for _ in range(808):
        await limiter.acquire()
    assert fake_time.now == pytest.approx(10.0, abs=0.02)  # 8 sent at once, then 80 each second


def test_rate_is_checked() -> None:
    with pytest.raises(ValueError, match="at most 1000"):
        WhatsAppConfig(token="t", phone_number_id="1", rate_per_second=1001)
    assert WhatsAppConfig(token="t", phone_number_id="1", rate_per_second=1000).rate_per_second == 1000


def test_config_comes_from_the_settings(app_settings: Settings) -> None:
    assert whatsapp_config(app_settings.model_dump()) is None
    configured = app_settings.model_copy(update={
        "whatsapp_token": SecretStr("token"), "whatsapp_phone_number_id": "1234567890",
        "whatsapp_app_secret": SecretStr("secret"), "whatsapp_api_base": "http://127.0.0.1:9"})
    config = whatsapp_config(configured.model_dump(), rate_per_second=200, templates=TEMPLATES)
    assert config is not None
    assert (config.token, config.phone_number_id, config.app_secret, config.verify_token) == (
        "token", "1234567890", "secret", "")
    assert (config.api_base, config.rate_per_second, config.default_locale) == ("http://127.0.0.1:9", 200, "id")
    assert config.template_for("notification", "en") == ("office_news", "en")
    assert config.template_for("notification", "jv") == ("kabar_disnaker", "id")
    assert config.template_for("reminder", "en") == ("office_news", "en"), "no template of its own: the general one"
    assert config.template_for("check_in", "en") == ("check_in_en", "en")
    assert config.template_for("check_in", "jv") == ("cek_bulanan", "id")
    assert whatsapp_config(configured.model_dump(), templates={}).template_for("notification", "id") is None  # type: ignore[union-attr]


async def test_each_proactive_message_goes_out_as_its_own_purposes_template(
    wa: FakeWhatsApp, make_channel: ChannelFactory
) -> None:
    channel = make_channel()
    wa.window_closed_for(TO)
    await channel.send(TO, Reply("Waktunya cek bulanan.", options=options(2), purpose=Purpose.CHECK_IN))
    await channel.send(TO, Reply("Lamaran Anda diterima.", purpose=Purpose.STATUS_CHANGE))
    assert [b["template"]["name"] for b in wa.sent] == ["cek_bulanan", "kabar_disnaker"]
    wa.assert_clean()


def test_the_window_is_24_hours(clock: Clock) -> None:
    assert window_is_open(clock.now - timedelta(hours=23, minutes=59), clock.now)
    assert not window_is_open(clock.now - timedelta(hours=24), clock.now)
    assert not window_is_open(None, clock.now)


async def test_a_throttled_reply_is_kept_in_the_outbox_and_sent_by_the_sweep(
    wa: FakeWhatsApp, make_channel: ChannelFactory, make_runtime: RuntimeFactory, clock: Clock
) -> None:
    runtime = make_runtime()
    runtime.delivery.add_channel(make_channel())
    wa.fail_next(code=130429)
    await runtime.handle(Incoming(channel="whatsapp", external_id=TO, text="/start", event_id="wamid.IN1"))
    assert wa.sent == []
    async with runtime.session_factory() as session:
        [row] = (await session.scalars(select(OutboxMessage))).all()
        assert row.status == "pending"
        assert "130429" in (row.last_error or "")
    clock.advance(seconds=3)
    assert await runtime.delivery.sweep() == 1
    wa.assert_clean()
    assert len(wa.sent_to(TO)) == 1


async def test_a_failure_for_good_is_recorded_for_staff(
    wa: FakeWhatsApp, make_channel: ChannelFactory, make_runtime: RuntimeFactory
) -> None:
    runtime = make_runtime()
    runtime.delivery.add_channel(make_channel(config={"templates": {}}))
    wa.window_closed_for(TO)
    await runtime.handle(Incoming(channel="whatsapp", external_id=TO, text="/start", event_id="wamid.IN2"))
    async with runtime.session_factory() as session:
        [row] = (await session.scalars(select(OutboxMessage))).all()
    assert row.status == "failed"
    assert "24-hour window" in (row.last_error or "")
