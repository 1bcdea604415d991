"""LOG_FORMAT=json: one JSON object a line (time, level, logger, message, the call's extras, the traceback) with
phone numbers and NIKs masked wherever they were, the `extra=` fields included; and a served bot's log in JSON
beside its `/metrics`, read from the running process."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable

import httpx
from hypothesis import given
from hypothesis import strategies as st
from prometheus_client.parser import text_string_to_metric_families

from bot.engine.runtime import Runtime
from bot.log_format import JsonFormatter
from bot.log_masking import mask_personal_data, mask_personal_data_in_logs
from tests.fakes.telegram_server import FakeTelegram
from tests.telegram_chat import STARTUP_TIMEOUT, wait_for
from tests.test_log_masking import NIK, whole_numbers
from tests.test_telegram_e2e import (  # noqa: F401  (fixtures)
    BotProcess,
    database,
    free_port,
    launch,
    polling_user,
    tg,
    wait_until_serving,
)
from tests.test_whatsapp_conversation import WA_ID


def json_lines(emit: Callable[[logging.Logger], None]) -> list[dict[str, object]]:
    """What `emit` logs, through the JSON formatter and the masking filter as `LOG_FORMAT=json` sets them up."""
    logger = logging.getLogger("test_log_format")
    logger.propagate = False  # its lines are the test's, not pytest's log
    lines: list[str] = []
    handler = logging.Handler()
    handler.setFormatter(JsonFormatter())
    handler.emit = lambda record: lines.append(handler.format(record))  # type: ignore[method-assign]
    logger.addHandler(handler)
    mask_personal_data_in_logs(logger)
    try:
        emit(logger)
    finally:
        logger.removeHandler(handler)
    assert all("\n" not in line for line in lines), "one line a record"
    assert whole_numbers("\n".join(lines)) == [], lines
    return [json.loads(line) for line in lines]


def test_a_nik_and_a_phone_come_out_masked_in_every_field() -> None:
    def emit(logger: logging.Logger) -> None:
        logger.warning("NIK %s of whatsapp:%s", NIK, WA_ID, extra={"phone": "0812-5100-0001", "nik": int(NIK)})
        try:
            raise ValueError(f"bad number +{WA_ID}")
        except ValueError:
            logger.exception("handling a message from %s failed", WA_ID)

    warning, error = json_lines(emit)
    assert set(warning) == {"time", "level", "logger", "message", "phone", "nik"}
    assert warning["level"] == "WARNING" and warning["logger"] == "test_log_format"
    assert str(warning["time"]).endswith("+00:00")
    assert warning["message"] == f"NIK 6309********0002 of whatsapp:{mask_personal_data(WA_ID)}"
    assert warning["phone"] == "0812*****001" and warning["nik"] == "6309********0002"
    assert error["level"] == "ERROR"
    assert f"ValueError: bad number {mask_personal_data('+' + WA_ID)}" in str(error["traceback"])


async def test_a_served_bot_logs_json_and_serves_its_counts(
    tg: FakeTelegram, launch: Callable[..., Awaitable[BotProcess]], database: Runtime,  # noqa: F811
) -> None:
    port = free_port()
    bot = await launch(LOG_FORMAT="json", LOG_LEVEL="INFO", WEB_PORT=str(port), METRICS_TOKEN="operators-only")
    await wait_for(lambda: tg.calls_of("deleteWebhook"), timeout=STARTUP_TIMEOUT, what="the bot to start polling")
    await polling_user(tg, 701).send("/start")
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=20) as http:
        await wait_until_serving(http)
        assert (await http.get("/metrics")).status_code == 401
        response = await http.get("/metrics", headers={"Authorization": "Bearer operators-only"})
    samples = {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
               for family in text_string_to_metric_families(response.text) for sample in family.samples}
    assert samples["sahabat_kerja_message_handling_seconds_count", (("channel", "telegram"),)] == 1
    assert samples["sahabat_kerja_sends_total", (("channel", "telegram"), ("result", "sent"))] >= 1
    assert samples["sahabat_kerja_database_up", ()] == 1
    await bot.stop()
    entries = [json.loads(line) for line in bot.log.read_text().splitlines() if line.startswith("{")]
    assert entries, "INFO lines were written, as JSON"
    assert all({"time", "level", "logger", "message"} <= set(entry) for entry in entries)
    assert any(entry["logger"] == "uvicorn.error" for entry in entries), "the web server's lines too"
    assert all("color_message" not in entry for entry in entries), "no terminal colours in a collector's log"


PERSONAL = (NIK, WA_ID, f"+{WA_ID}", "0812-5100-0001", "+62 812 5100 0001")
json_values = st.recursive(
    st.none() | st.booleans() | st.floats(allow_nan=False) | st.integers(-(10**20) + 1, 10**20 - 1)
    | st.text(alphabet="0123456789ab", max_size=20) | st.sampled_from(PERSONAL),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=12,
)


@given(json_values)
def test_any_extra_field_comes_out_as_json_with_no_whole_number(extra: object) -> None:
    """Phones and NIKs, and any run of digits the masking masks (up to 20), as text or numbers, at any depth."""
    (entry,) = json_lines(lambda logger: logger.warning("a value", extra={"value": extra}))
    assert "value" in entry
