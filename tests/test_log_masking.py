"""No log line carries a whole phone number, WhatsApp id or NIK: checked on the log of a real `python -m bot run`
through a WhatsApp registration, a failed delivery and a status Meta reports as failed, and on any number
typed any way."""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable

import httpx
from hypothesis import given
from hypothesis import strategies as st

from bot.engine.runtime import Runtime
from bot.log_masking import mask_personal_data, mask_personal_data_in_logs
from tests.fakes import whatsapp_webhooks as hooks
from tests.fakes.telegram_server import FakeTelegram
from tests.fakes.whatsapp_server import FakeWhatsApp
from tests.test_telegram_e2e import (  # noqa: F401  (fixtures)
    BotProcess,
    database,
    free_port,
    launch,
    tg,
    wait_until_serving,
)
from tests.test_whatsapp_conversation import WA_ID, WhatsAppUser
from tests.test_whatsapp_e2e import wa  # noqa: F401  (fixture)

NIK = "6309014508990002"


def whole_numbers(text: str) -> list[str]:
    """Runs of nine or more digits, however they are split by spaces or dashes, once times of day are left out."""
    without_times = re.sub(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d", "", text)
    found: list[str] = re.findall(r"\+?\d(?:[ -]?\d){8,}", without_times)
    return found


def test_numbers_are_masked_whatever_their_shape() -> None:
    line = (f"from whatsapp:{WA_ID}, phone +62 812-5100-0001 or 0812-5100-0001 or 081251000001, NIK {NIK}, "
            "outbox 1234 due 2026-11-30 21:20:16, born 05-08-1999")
    masked = mask_personal_data(line)
    assert whole_numbers(masked) == []
    assert "outbox 1234 due 2026-11-30 21:20:16, born 05-08-1999" in masked
    assert "6309********0002" in masked and "+6281******001" in masked


@given(st.from_regex(r"\A(\+62|62|0)8[1-9][0-9]{7,10}\Z"), st.sampled_from(["", " ", "-"]))
def test_any_indonesian_mobile_number_is_masked(number: str, separator: str) -> None:
    typed = number if not separator else separator.join(re.findall(r"\+?\d{1,4}", number))
    masked = mask_personal_data(f"got {typed}!")
    assert whole_numbers(masked) == []
    assert "*" in masked


def test_the_filter_masks_arguments_and_tracebacks() -> None:
    logger = logging.getLogger("test_log_masking")
    handler = logging.Handler()
    records: list[str] = []
    handler.emit = lambda record: records.append(logging.Formatter().format(record))  # type: ignore[method-assign]
    logger.addHandler(handler)
    mask_personal_data_in_logs(logger)
    try:
        logger.warning("could not reach %s", WA_ID)
        try:
            raise ValueError(f"bad number +{WA_ID}")
        except ValueError:
            logger.exception("handling a message from whatsapp:%s failed", WA_ID)
    finally:
        logger.removeHandler(handler)
    assert len(records) == 2
    assert whole_numbers("\n".join(records)) == []


async def test_a_whole_run_logs_no_phone_number_or_nik(
    tg: FakeTelegram, wa: FakeWhatsApp, launch: Callable[..., Awaitable[BotProcess]], database: Runtime,  # noqa: F811
) -> None:
    port = free_port()
    bot = await launch(WHATSAPP_TOKEN=wa.token, WHATSAPP_PHONE_NUMBER_ID=wa.phone_number_id,
                       WHATSAPP_APP_SECRET=wa.app_secret, WHATSAPP_VERIFY_TOKEN="verify-e2e",
                       WHATSAPP_API_BASE=wa.base_url, WEB_HOST="127.0.0.1", WEB_PORT=str(port), LOG_LEVEL="INFO")
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=20) as http:
        await wait_until_serving(http)
        siti = WhatsAppUser(http, wa, WA_ID)
        await siti.send("halo")
        for label in ("Bahasa Indonesia", "Saya setuju"):
            await siti.tap(label)
        for text in ("Sari Wulandari", NIK, "05-08-1999", "1"):
            await siti.send(text)
        assert f"Apakah +{WA_ID} nomor yang dapat dihubungi?" in siti.text
        wa.fail_next(8, status=500)  # a delivery that fails: WARNING lines about it
        await siti.tap("Ya, nomor ini", answered=False)
        await siti.post(hooks.status_update(hooks.new_wamid(), "failed", WA_ID))  # Meta: "could not deliver"
    await bot.stop()
    log = bot.log.read_text()
    assert "WARNING" in log, "the run took the paths that log warnings"
    assert "could not deliver" in log
    assert "delivery of outbox" in log
    assert whole_numbers(log) == [], log
