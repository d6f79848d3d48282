"""net's own exceptions (net/errors.py): what httpx raises becomes net's type of the same name,
and the retry policy reads both alike."""

from __future__ import annotations

import httpx
import pytest

from minion_tui import net
from minion_tui.errors import MinionError
from minion_tui.net.errors import from_httpx
from minion_tui.net.retry import exception_failure

# What httpx raises for a failed exchange (httpx/_transports/default.py's map, the decoders,
# the stream guards, URL parsing), each with the name of net's type it must become.
RAISED_BY_HTTPX = [
    httpx.ConnectTimeout("slow"),
    httpx.ReadTimeout("slow"),
    httpx.WriteTimeout("slow"),
    httpx.PoolTimeout("busy"),
    httpx.ConnectError("refused"),
    httpx.ReadError("reset"),
    httpx.WriteError("broken pipe"),
    httpx.CloseError("reset"),
    httpx.ProxyError("407"),
    httpx.UnsupportedProtocol("ftp"),
    httpx.LocalProtocolError("ours"),
    httpx.RemoteProtocolError("peer closed"),
    httpx.DecodingError("bad gzip"),
    httpx.StreamError("closed"),
    httpx.InvalidURL("Invalid port: '99999'"),
]


@pytest.mark.parametrize("error", RAISED_BY_HTTPX, ids=lambda error: type(error).__name__)
def test_an_httpx_failure_becomes_nets_type_of_its_name(error: Exception) -> None:
    ours = from_httpx(error)
    assert isinstance(ours, net.NetError)
    assert type(ours).__module__ == "minion_tui.net.errors"
    expected = "MalformedURL" if isinstance(error, httpx.InvalidURL) else type(error).__name__
    assert type(ours).__name__ == expected
    assert getattr(net, expected) is type(ours)
    assert str(ours) == str(error)
    assert isinstance(ours, type(error))  # what net's own tests catch by httpx's name


def test_an_httpx_failure_net_has_no_name_for_takes_its_nearest_ancestors() -> None:
    assert type(from_httpx(httpx.NetworkError("down"))) is net.TransportError
    assert type(from_httpx(httpx.TimeoutException("slow"))) is net.Timeout
    assert type(from_httpx(httpx.StreamClosed())) is net.StreamError
    assert type(from_httpx(httpx.TooManyRedirects("loop"))) is net.NetError


def test_nets_own_and_other_exceptions_are_left_as_they_are() -> None:
    ours = net.ReadTimeout("slow")
    other = ValueError("no")
    assert from_httpx(ours) is ours
    assert from_httpx(other) is other


def test_the_hierarchy_callers_catch() -> None:
    for name in ("ConnectTimeout", "ReadTimeout", "WriteTimeout", "PoolTimeout"):
        assert issubclass(getattr(net, name), net.Timeout)
    for name in ("LocalProtocolError", "RemoteProtocolError"):
        assert issubclass(getattr(net, name), net.ProtocolError)
    for name in ("Timeout", "ConnectError", "ReadError", "WriteError", "CloseError",
                 "ProxyError", "UnsupportedProtocol", "ProtocolError"):
        assert issubclass(getattr(net, name), net.TransportError)
    # A body that did not decode, a misused stream, a malformed URL: net's, not transport
    # failures (the downloader retries transport failures only, as it did with httpx's).
    for name in ("DecodingError", "StreamError", "MalformedURL"):
        kind = getattr(net, name)
        assert issubclass(kind, net.NetError) and not issubclass(kind, net.TransportError)
    # Below the app's errors: Http.request turns them into NetworkError (JSON "network").
    assert not issubclass(net.NetError, MinionError)


# What the retry policy said of each httpx failure before net had types of its own.
REASONS = {
    "ConnectTimeout": "timed out connecting",
    "ReadTimeout": "timed out waiting for the server",
    "WriteTimeout": "timed out waiting for the server",
    "PoolTimeout": "timed out waiting for a free connection",
    "ConnectError": "could not connect",
    "ReadError": "connection dropped mid-transfer",
    "WriteError": "network error",
    "CloseError": "network error",
    "ProxyError": "could not send the request",
    "UnsupportedProtocol": "could not send the request",
    "LocalProtocolError": "could not send the request",
    "RemoteProtocolError": "connection dropped mid-transfer",
    "DecodingError": "connection dropped mid-transfer",
}


@pytest.mark.parametrize("name", sorted(REASONS))
def test_the_retry_policy_reads_nets_types_as_it_read_httpxs(name: str) -> None:
    error = getattr(net, name)("it failed")
    assert exception_failure(error, "GET").reason == REASONS[name]
    assert exception_failure(error, "GET") == exception_failure(
        getattr(httpx, name)("it failed"), "GET")
    assert exception_failure(error, "POST") == exception_failure(
        getattr(httpx, name)("it failed"), "POST")
