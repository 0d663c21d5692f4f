"""The lean Redis client (``cache/resp.py``): its parser on any reply, however the bytes arrive;
its handshake (AUTH, SELECT) and error replies against a real, password-protected redis-server;
and its timeouts, which must fail fast and leave no "Future exception was never retrieved"."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
import redis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from redis.exceptions import ResponseError

from conduit.cache.resp import LeanRedis, _Incomplete, _Protocol, parse
from tests.cache.private_redis import PrivateRedis, private_redis

PASSWORD = "s3cret-for-this-test-only"

# A reply as (RESP bytes, the value the parser must return); errors are compared by message.
Reply = tuple[bytes, Any]

line_text = st.binary(max_size=40).filter(lambda b: b"\r" not in b and b"\n" not in b)
scalars: st.SearchStrategy[Reply] = st.one_of(
    st.binary(max_size=300).map(lambda b: (b"$%d\r\n%s\r\n" % (len(b), b), b)),
    st.just((b"$-1\r\n", None)),
    st.just((b"*-1\r\n", None)),
    st.integers(-(2**63), 2**63 - 1).map(lambda n: (b":%d\r\n" % n, n)),
    line_text.map(lambda b: (b"+%s\r\n" % b, b)),
    line_text.map(lambda b: (b"-%s\r\n" % b, ("error", b.decode(errors="replace")))),
)


def _array(items: list[Reply]) -> Reply:
    return b"*%d\r\n" % len(items) + b"".join(raw for raw, _ in items), [v for _, v in items]


replies: st.SearchStrategy[Reply] = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=6).map(_array), max_leaves=30
)


def _comparable(value: Any) -> Any:
    if isinstance(value, ResponseError):
        return ("error", str(value))
    if isinstance(value, list):
        return [_comparable(item) for item in value]
    return value


@settings(deadline=None, max_examples=300)
@given(replies)
def test_it_parses_any_reply_and_no_proper_prefix_of_it(reply: Reply) -> None:
    raw, expected = reply
    value, end = parse(raw, 0)
    assert (_comparable(value), end) == (expected, len(raw))
    for cut in range(len(raw)):
        with pytest.raises(_Incomplete):
            parse(raw[:cut], 0)


@settings(deadline=None, max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(replies, min_size=1, max_size=8), st.data())
def test_fragmented_replies_reach_their_waiters_in_order(replies: list[Reply], data: Any) -> None:
    loop = asyncio.new_event_loop()
    try:
        protocol = _Protocol()
        waiters = [loop.create_future() for _ in replies]
        protocol.waiters.extend(waiters)
        stream = b"".join(raw for raw, _ in replies)
        cuts = sorted(data.draw(st.sets(st.integers(0, len(stream)), max_size=12)))
        for start, end in zip([0, *cuts], [*cuts, len(stream)], strict=True):
            protocol.data_received(stream[start:end])
        assert [_comparable(w.result()) for w in waiters] == [v for _, v in replies]
        assert not protocol.waiters
        assert not protocol.buffer
    finally:
        loop.close()


def test_a_reply_of_an_unknown_type_closes_the_connection_and_fails_its_waiters() -> None:
    loop = asyncio.new_event_loop()
    try:
        protocol = _Protocol()
        waiter = loop.create_future()
        protocol.waiters.append(waiter)
        protocol.data_received(b"?what\r\n")
        assert protocol.closed
        with pytest.raises(ConnectionError):
            waiter.result()
    finally:
        loop.close()


@pytest.fixture(scope="module")
def protected() -> Iterator[PrivateRedis]:
    with private_redis(PASSWORD) as server:
        yield server


@pytest.fixture
async def lean(protected: PrivateRedis) -> AsyncIterator[LeanRedis]:
    client = LeanRedis("127.0.0.1", protected.port, 3, None, PASSWORD, timeout=5.0)
    yield client
    await client.close()


pytestmark = pytest.mark.anyio


async def test_the_handshake_authenticates_and_selects_the_database(
    lean: LeanRedis, protected: PrivateRedis
) -> None:
    assert await lean.pipeline([("SET", "k", "in three"), ("INCR", "n"), ("GET", "k")]) == [
        b"OK",
        1,
        b"in three",
    ]
    check = redis.Redis.from_url(protected.url(3))
    try:
        assert check.get("k") == b"in three"
        assert redis.Redis.from_url(protected.url(0)).get("k") is None
    finally:
        check.close()


async def test_a_named_user_authenticates_with_acl_auth(protected: PrivateRedis) -> None:
    client = LeanRedis("127.0.0.1", protected.port, 0, "default", PASSWORD, timeout=5.0)
    try:
        assert await client.pipeline([("PING",)]) == [b"PONG"]
    finally:
        await client.close()


async def test_a_wrong_password_fails_the_handshake_and_keeps_no_connection(
    protected: PrivateRedis,
) -> None:
    client = LeanRedis("127.0.0.1", protected.port, 0, None, "not the password", timeout=5.0)
    for _ in range(2):  # each attempt handshakes anew, none reuses a half-open connection
        with pytest.raises(ResponseError):
            await client.pipeline([("PING",)])
    await client.close()


async def test_an_error_reply_raises_after_all_replies_and_the_connection_stays_usable(
    lean: LeanRedis,
) -> None:
    await lean.pipeline([("SET", "word", "not a number")])
    with pytest.raises(ResponseError, match="not an integer"):
        await lean.pipeline([("INCR", "word"), ("SET", "after", "1")])
    assert await lean.pipeline([("GET", "after")]) == [b"1"]  # the second command did run


@settings(deadline=None, max_examples=40)
@given(value=st.binary(max_size=2000), key=st.text(min_size=1, max_size=30))
async def test_any_bytes_go_through_unchanged(
    protected: PrivateRedis, value: bytes, key: str
) -> None:
    client = LeanRedis("127.0.0.1", protected.port, 4, None, PASSWORD, timeout=5.0)
    try:
        assert await client.pipeline([("SET", key, value), ("GET", key)]) == [b"OK", value]
    finally:
        await client.close()


async def test_a_silent_server_times_out_fast_and_leaves_no_unretrieved_exception() -> None:
    unhandled: list[dict[str, Any]] = []
    loop = asyncio.get_running_loop()
    previous = loop.get_exception_handler()
    loop.set_exception_handler(lambda _loop, context: unhandled.append(context))

    async def accept_and_say_nothing(
        _reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        await asyncio.sleep(5)
        writer.close()

    server = await asyncio.start_server(accept_and_say_nothing, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    client = LeanRedis("127.0.0.1", port, timeout=0.2)
    try:
        started = loop.time()
        with pytest.raises(TimeoutError):
            await client.pipeline([("MGET", "a", "b"), ("INCR", "c"), ("PING",)])
        assert loop.time() - started < 2.0
        # Several callers waiting on the same dead connection all fail, none hangs.
        results = await asyncio.gather(
            *(client.pipeline([("PING",), ("PING",)]) for _ in range(5)), return_exceptions=True
        )
        assert all(isinstance(r, TimeoutError | ConnectionError) for r in results), results
    finally:
        await client.close()
        server.close()
        await server.wait_closed()
        gc.collect()
        await asyncio.sleep(0)
        loop.set_exception_handler(previous)
    assert not [c for c in unhandled if "never retrieved" in str(c.get("message"))], unhandled
