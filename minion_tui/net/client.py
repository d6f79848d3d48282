"""Http: the one way the app speaks HTTP (ARCHITECTURE.md, firm rule 3).

Every request is rewritten through the endpoint map, waits for its host's request window (API
hosts and media CDNs have separate rates, see :mod:`minion_tui.net.hosts`), and
is retried by the policy in :mod:`minion_tui.net.retry` within an overall deadline. Limits and
stats are keyed by the REAL host (before mapping), so the emulator — where every origin is
127.0.0.1 — sees exactly the pacing the real services would.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Callable, Collection, Iterator, Mapping
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

import httpx

from minion_tui.errors import (
    HTTPAuthError,
    HTTPStatusError,
    InvalidURL,
    MinionError,
    NetworkError,
    NotFound,
    RateLimited,
)
from minion_tui.models import WaitNotice
from minion_tui.net.bounds import CappedStream, decoded_capped, read_capped, refuse_announced
from minion_tui.net.endpoints import (
    display_url,
    host_of,
    merge_query,
    origin_of,
    url_problem,
)
from minion_tui.net.errors import DecodingError, MalformedURL, TransportError, httpx_failures
from minion_tui.net.hosts import RatePolicy
from minion_tui.net.limiter import HostGate, HostLimiter, LimiterDeadline
from minion_tui.net.pool import lease, lease_h1, release
from minion_tui.net.response import HttpxStream, Response, StreamResponse
from minion_tui.net.retry import (
    REDIRECT_STATUSES,
    Failure,
    Outcome,
    RetryPolicy,
    classify_status,
    exception_failure,
    rate_limit_failure,
    status_failure,
)
from minion_tui.net.spec import AuthHook, Credentials, HttpOptions, HttpStats, RequestSpec

MAX_REDIRECTS = 10
#: What request() accepts: compressed API answers, decoded by httpx's decoders (stream()
#: asks for the identity encoding: media bytes as sent).
ENCODINGS = "gzip, deflate"
_CREDENTIAL_HEADERS = frozenset({"authorization", "cookie", "proxy-authorization"})
_NETWORK_HINT = "Check your network connection and try again in a moment."
_URL_HINT = ("Check the link (copy it again from the address bar); if it came from the "
             "service, try again later.")


@dataclass
class _Run:
    """Book-keeping of one request() call, for the deadline and the final error message."""

    spec: RequestSpec
    started: float
    deadline: float
    url: str = ""  # the mapped URL of the latest attempt
    # the most of one answer read into memory (net/bounds.py)
    max_bytes: int = HttpOptions.max_body_bytes
    attempts: int = 0
    retries: int = 0
    failure: Failure | None = None
    # recognises a rate limit sent under another status than 429 (Mixcloud's 403)
    rate_limited: Callable[[Response], bool] | None = None


class Http:
    def __init__(
        self,
        options: HttpOptions | None = None,
        *,
        on_wait: Callable[[WaitNotice], None] | None = None,
    ) -> None:
        self.options = options or HttpOptions()
        self.stats = HttpStats()
        self._on_wait = on_wait
        # API hosts and media CDNs have separate budgets (see net/hosts.py for why).
        policy = RatePolicy(api=self.options.rate_limit, cdn=self.options.cdn_rate_limit)
        self._limiter = HostLimiter(self.options.rate_limit, rate_for=policy.rate_for)
        self._policy = RetryPolicy(
            max_retries=self.options.max_retries,
            backoff_base=self.options.backoff_base,
            backoff_cap=self.options.backoff_cap,
            retry_after_cap=self.options.retry_after_cap,
        )
        self._rng = random.Random()

    # -- URLs ------------------------------------------------------------------------------

    def map_url(self, url: str) -> str:
        """Real-origin URL -> the URL actually fetched (also what to hand to mpv)."""
        return self.options.endpoints.rewrite(url)

    def unmap(self, url: str) -> str:
        """Mapped URL -> real-origin URL (e.g. ``str(response.url)`` back to SoundCloud's)."""
        return self.options.endpoints.unmap(url)

    def public_url(self, url: str) -> str:
        """A URL fit for a message to the user: real origin, no client_id or signatures, no
        password, cut short when very long."""
        return display_url(self.unmap(url))

    def rate_limit_for(self, url: str) -> float:
        """Requests/s allowed to the host of ``url`` (real or mapped); <= 0: unlimited."""
        return self._limiter.gate(host_of(self.unmap(url))).rate

    # -- requests --------------------------------------------------------------------------

    async def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        data: Mapping[str, str] | None = None,
        json: Any = None,
        auth_hook: AuthHook | None = None,
        follow_redirects: bool = True,
        allow_statuses: Collection[int] = (),
        credentials: Credentials | None = None,
        max_bytes: int | None = None,
        rate_limited: Callable[[Response], bool] | None = None,
        content: bytes | None = None,
    ) -> Response:
        """Send with retries; the body is read in full before returning (net/__init__.py,
        ARCHITECTURE.md), up to ``max_bytes`` (default ``options.max_body_bytes``; more is
        ResponseTooLarge, not retried). ``credentials`` go only to their own origins
        (spec.Credentials), on every hop. ``rate_limited`` tells a rate limit sent under
        another status (Mixcloud's 403 ``RateLimitException``): retried like a 429, and
        RateLimited when it does not let up."""
        spec = RequestSpec(method.upper(), url, params, headers, data, json, credentials,
                           content)
        now = self._limiter.now()
        run = _Run(spec, started=now, deadline=now + self.options.deadline,
                   max_bytes=max_bytes or self.options.max_body_bytes,
                   rate_limited=rate_limited)
        # The hard stop: no attempt, token wait or backoff outlives the deadline. The retry
        # loop also checks before each sleep so it gives up early rather than sleep in vain.
        timeout = asyncio.timeout(self.options.deadline)
        try:
            async with timeout:
                return await self._request(run, auth_hook, follow_redirects, set(allow_statuses))
        except TimeoutError:
            if not timeout.expired():
                raise
            raise self._gave_up(run, f"the {self.options.deadline:g} s deadline passed") from None

    async def get_json(
        self,
        url: str,
        *,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        auth_hook: AuthHook | None = None,
        credentials: Credentials | None = None,
        max_bytes: int | None = None,
        rate_limited: Callable[[Response], bool] | None = None,
    ) -> Any:
        response = await self.request(
            "GET", url, params=params, headers=headers, auth_hook=auth_hook,
            credentials=credentials, max_bytes=max_bytes or self.options.max_json_bytes,
            rate_limited=rate_limited,
        )
        try:
            return response.json()
        except ValueError:  # JSONDecodeError and UnicodeDecodeError are both ValueErrors
            kind = response.headers.get("content-type", "no content type")
            raise NetworkError(
                f"{self.public_url(response.url)} did not return JSON "
                f"(got {kind}, {len(response.content)} bytes).",
                hint="The service may be having trouble, or the endpoint map points at the "
                "wrong server; try again later.",
            ) from None

    async def get_text(
        self,
        url: str,
        *,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        auth_hook: AuthHook | None = None,
        credentials: Credentials | None = None,
        max_bytes: int | None = None,
    ) -> str:
        response = await self.request(
            "GET", url, params=params, headers=headers, auth_hook=auth_hook,
            credentials=credentials, max_bytes=max_bytes or self.options.max_text_bytes,
        )
        return response.text

    async def get_bytes(
        self,
        url: str,
        *,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        auth_hook: AuthHook | None = None,
        credentials: Credentials | None = None,
        max_bytes: int | None = None,
    ) -> bytes:
        response = await self.request(
            "GET", url, params=params, headers=headers, auth_hook=auth_hook,
            credentials=credentials, max_bytes=max_bytes or self.options.max_body_bytes,
        )
        return response.content

    @asynccontextmanager
    async def stream(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        follow_redirects: bool = True,
        max_bytes: int | None = None,
    ) -> AsyncIterator[StreamResponse]:
        """Mapped and rate-limited, ONE attempt, status not raised: the caller (the
        downloader) owns retries. With ``max_bytes``, a body announced or sent longer
        raises ResponseTooLarge (net/bounds.py). Failures raise net's exceptions
        (net/errors.py), reading the body included, so the caller can classify them with
        :func:`minion_tui.net.retry.exception_failure`.

        GETs go over h1.py's kept-alive connections (a third of httpx's CPU per request, the
        download hot path) unless only httpx can send the URL (h1.H1Pool.takes); the response
        is a :class:`~minion_tui.net.response.StreamResponse` either way."""
        h1 = lease_h1(self)
        method = method.upper()
        target = self._mapped(url, params)
        for _ in range(MAX_REDIRECTS + 1):
            real_host = host_of(self.unmap(target))
            gate = self._limiter.gate(real_host)
            self._count(real_host)
            response: StreamResponse
            with self._refusing_malformed(target):
                if method == "GET" and h1.takes(target):
                    # The slot is taken on the connection, right before the bytes go out.
                    response = await h1.get(target, self._headers(headers),
                                            self.options.timeout, before_write=gate.acquire)
                else:
                    await gate.acquire()
                    client = lease(self)
                    with httpx_failures():
                        request = client.build_request(
                            method, target, headers=self._headers(headers),
                            timeout=self.options.timeout)
                        response = HttpxStream(await client.send(request, stream=True))
            location = response.headers.get("location")
            if follow_redirects and response.status_code in REDIRECT_STATUSES and location:
                await response.aclose()
                target, headers = self._follow(target, location, headers)
                if response.status_code == 303 and method != "HEAD":
                    method = "GET"
                continue
            try:
                yield (response if max_bytes is None
                       else CappedStream(response, max_bytes, self.public_url(target)))
            finally:
                await response.aclose()
            return
        raise NetworkError(
            f"{self.public_url(url)} redirected more than {MAX_REDIRECTS} times.",
            hint="The link is probably broken; try it in a browser.",
        )

    def warm(self, url: str, connections: int) -> None:
        """Start opening ``connections`` kept-alive connections to the (mapped) origin of
        ``url`` for requests about to follow; returns at once (h1.H1Pool.warm)."""
        target = self.map_url(url)
        h1 = lease_h1(self)
        if h1.takes(target):
            h1.warm(target, connections, self.options.timeout)

    async def aclose(self) -> None:
        await release(self)

    # -- the retry loop --------------------------------------------------------------------

    async def _request(
        self, run: _Run, auth_hook: AuthHook | None, follow: bool, allow: set[int]
    ) -> Response:
        spec = run.spec
        hook_used = False
        while True:
            response = await self._exchange(spec, run, follow, allow)
            status = response.status_code
            if status in allow or status < 400:
                return response
            url = self.public_url(response.url)
            outcome = classify_status(status)
            if outcome is Outcome.AUTH:
                if auth_hook is not None and not hook_used:
                    hook_used = True
                    fixed = await auth_hook(response, spec)
                    if fixed is not None:
                        spec = fixed
                        continue
                raise HTTPAuthError(status, url)
            if outcome is Outcome.NOT_FOUND:
                raise NotFound(
                    f"Nothing at {url} (HTTP {status}).",
                    hint="Check the link; the item may have been deleted or made private.",
                )
            raise HTTPStatusError(status, url)

    async def _exchange(
        self, spec: RequestSpec, run: _Run, follow: bool, allow: set[int]
    ) -> Response:
        """One request with its redirect hops and retries. Returns any response that is not
        retryable (the caller turns error statuses into errors); raises when it gives up."""
        method, data, json_body = spec.method.upper(), spec.data, spec.json
        content = spec.content
        headers = spec.headers
        url = self._mapped(spec.url, spec.params)
        hops = 0
        while True:
            run.url = url
            host = host_of(self.unmap(url))
            gate = self._limiter.gate(host)
            sent_url, sent_headers = self._credentialed(url, headers, spec.credentials)
            try:
                with self._refusing_malformed(url):
                    response = await self._send(method, sent_url, sent_headers, data,
                                                json_body, run, host, gate, content)
            except LimiterDeadline as exc:
                raise self._limiter_gave_up(run, exc) from None
            except (TransportError, DecodingError) as exc:  # a body cut off mid-transfer too
                # (net's other errors, a malformed URL say, are not worth a retry: they go
                # through as they are)
                failure = exception_failure(exc, method)
            else:
                status = response.status_code
                location = response.headers.get("location")
                if status in allow:
                    return response
                if follow and status in REDIRECT_STATUSES and location:
                    hops += 1
                    if hops > MAX_REDIRECTS:
                        raise NetworkError(
                            f"{self.public_url(spec.url)} redirected more than "
                            f"{MAX_REDIRECTS} times.",
                            hint="The link is probably broken; try it in a browser.",
                        )
                    url, headers = self._follow(url, location, headers)
                    if (status == 303 and method != "HEAD") or (
                        status in (301, 302) and method == "POST"
                    ):
                        method, data, json_body, content = "GET", None, None, None
                    continue
                if run.rate_limited is not None and status >= 400 \
                        and run.rate_limited(response):
                    failure = rate_limit_failure(response)
                elif classify_status(status) is not Outcome.RETRY:
                    return response
                else:
                    failure = status_failure(response, method)
                if not failure.retryable:
                    return response
            run.failure = failure
            if not failure.retryable:
                raise self._gave_up(run)
            await self._wait_before_retry(run, failure, gate)

    async def _send(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str] | None,
        data: Mapping[str, str] | None,
        json_body: Any,
        run: _Run,
        host: str,
        gate: HostGate,
        content: bytes | None = None,
    ) -> Response:
        """One attempt. The host's slot is taken as late as possible: by h1.py right before
        the request is written (after any connect), or here right before httpx sends."""

        async def slot() -> None:
            await gate.acquire(deadline=run.deadline)

        left = run.deadline - self._limiter.now()
        timeout = min(self.options.timeout, max(left, 0.001))
        run.attempts += 1
        self._count(host)
        h1 = lease_h1(self)
        shown, cap = self.public_url(url), run.max_bytes
        if host in self.options.impersonate_hosts:
            from minion_tui.net import impersonate

            await slot()
            return await impersonate.send(method, url, self._headers(headers),
                                          content if content is not None else data,
                                          json_body, timeout, cap, shown)
        if (method == "GET" and data is None and json_body is None and content is None
                and h1.takes(url)):
            # Over h1.py's connections (no httpx pool to create on a command's way to its
            # first request); the body is read, and decoded by httpx's decoders, here.
            answer: StreamResponse = await h1.get(url, self._headers(headers), timeout,
                                                  encoding=ENCODINGS, before_write=slot)
        else:
            await slot()
            client = lease(self)
            with httpx_failures():
                request = client.build_request(
                    method,
                    url,
                    headers=self._headers(headers),
                    data=data,
                    json=json_body,
                    content=content,
                    timeout=timeout,
                )
                answer = HttpxStream(await client.send(request, stream=True))
        try:  # read up to the cap (net/bounds.py), the connection closed if it is left
            refuse_announced(answer.headers, cap, shown)
            raw = await read_capped(answer.aiter_raw(), cap, shown)
        finally:
            await answer.aclose()
        received = httpx.Headers(answer.headers)
        decoded = await decoded_capped(answer.status_code, received, raw,
                                       httpx.Request(method, url), cap, shown)
        return Response(decoded, received)

    async def _wait_before_retry(self, run: _Run, failure: Failure, gate: HostGate) -> None:
        delay = self._policy.delay(failure, run.retries, self._rng)
        if failure.pauses_host:
            # The host asked everyone to back off — even if this request now gives up, the
            # next one to the host must wait (the next acquire() waits the pause out).
            gate.pause(delay, status=failure.status)
        if run.retries >= self.options.max_retries:
            raise self._gave_up(run)
        left = run.deadline - self._limiter.now()
        if delay >= left:
            asked = "the server asked to wait" if failure.retry_after is not None else "waiting"
            raise self._gave_up(
                run, f"{asked} {delay:.1f} s would pass the {self.options.deadline:g} s deadline"
            )
        run.retries += 1
        self.stats.retries += 1
        if self._on_wait is not None and delay >= self.options.long_wait_notice:
            self._on_wait(WaitNotice(gate.host, delay, failure.reason))
        if delay > 0 and not failure.pauses_host:
            await asyncio.sleep(delay)

    # -- errors ----------------------------------------------------------------------------

    def _gave_up(self, run: _Run, why: str | None = None) -> MinionError:
        url = self.public_url(run.url or run.spec.url)
        elapsed = self._limiter.now() - run.started
        what = f"{run.spec.method} {url}"
        summary = f"gave up after {run.attempts} attempt(s) over {elapsed:.1f} s"
        if why:
            summary += f" ({why})"
        failure = run.failure
        if failure is None:
            return NetworkError(f"{what} did not complete: {summary}.", hint=_NETWORK_HINT)
        if failure.status == 429 or failure.rate_limit:
            return RateLimited(
                f"{host_of(self.unmap(run.url))} kept rate-limiting {what}; {summary}.",
                retry_after=failure.retry_after,
            )
        if failure.status is not None:
            return HTTPStatusError(
                failure.status, url, message=f"{what} failed: {failure.reason}; {summary}."
            )
        return NetworkError(
            f"{what} failed: {failure.reason} ({failure.detail}); {summary}.", hint=_NETWORK_HINT
        )

    def _limiter_gave_up(self, run: _Run, exc: LimiterDeadline) -> MinionError:
        what = f"{run.spec.method} {self.public_url(run.url)}"
        if exc.paused_status == 429:
            return RateLimited(
                f"{exc.host} asked us to slow down; {what} would have to wait {exc.wait:.0f} s, "
                f"past its {self.options.deadline:g} s deadline.",
                retry_after=exc.wait,
            )
        if run.failure is not None:
            return self._gave_up(run, f"{exc.host} is paused for another {exc.wait:.1f} s")
        return NetworkError(
            f"{what} would wait {exc.wait:.1f} s for {exc.host}, past its "
            f"{self.options.deadline:g} s deadline.",
            hint="Try again in a moment, or raise the rate limit or deadline in the [net] "
            "section of the configuration.",
        )

    # -- small parts -----------------------------------------------------------------------

    def _follow(
        self, url: str, location: str, headers: Mapping[str, str] | None
    ) -> tuple[str, Mapping[str, str] | None]:
        """The next hop of a redirect, mapped, and the headers to send there. A Location is
        resolved against the URL actually fetched, then mapped, so one pointing at a real
        origin reaches its replacement too. Like browsers (and httpx), credentials are not
        carried to another origin (scheme, host and port: not to http:// after https://
        either): a signed CDN URL must not receive our OAuth token. Credentials given as
        such are not in ``headers``: they are added again per hop where they belong
        (:meth:`_credentialed`)."""
        try:
            joined = urljoin(url, location)
        except ValueError:  # a Location that does not parse (an unbalanced bracket)
            joined = location
        target = self._mapped(joined, None, redirect=True)
        if headers and origin_of(self.unmap(target)) != origin_of(self.unmap(url)):
            headers = {k: v for k, v in headers.items() if k.lower() not in _CREDENTIAL_HEADERS}
        return target, headers

    def _mapped(self, url: str, params: Mapping[str, str] | None, *,
                redirect: bool = False) -> str:
        """``url`` with ``params``, through the endpoint map; InvalidURL (saying why, and
        what to do) for a URL that cannot be requested at all, before or after the map."""
        problem = url_problem(url)
        target = url
        if problem is None:
            target = self.map_url(merge_query(url, params))
            problem = url_problem(target)
        if problem is None:
            return target
        if redirect:
            raise InvalidURL(f"A redirect led to {display_url(url)}: {problem}.",
                             hint="The link is probably broken; try it in a browser.")
        raise InvalidURL(f"Cannot request {display_url(url)}: {problem}.", hint=_URL_HINT)

    @contextmanager
    def _refusing_malformed(self, url: str) -> Iterator[None]:
        """What the send path finds unsendable after all (a host that is no valid IDNA name,
        say) is the same InvalidURL, not a traceback."""
        try:
            yield
        except MalformedURL as error:
            raise InvalidURL(
                f"Cannot request {display_url(self.unmap(url))}: {error}.",
                hint=_URL_HINT) from None

    def _credentialed(
        self, url: str, headers: Mapping[str, str] | None, credentials: Credentials | None
    ) -> tuple[str, Mapping[str, str] | None]:
        """The (mapped) URL and headers of one hop with ``credentials`` added — only when
        the hop's REAL origin is one of theirs: the decision is made on the URL before the
        endpoint map, so it is the same against the services and the emulator."""
        if credentials is None or not credentials.go_to(self.unmap(url)):
            return url, headers
        return (merge_query(url, credentials.params),
                {**(headers or {}), **credentials.headers})

    def _headers(self, extra: Mapping[str, str] | None) -> dict[str, str]:
        """Our User-Agent, unless the caller gives one (in any case), then the caller's
        headers. A plain dict: both httpx and h1.py take it (h1.py lowercases the names
        itself), and building an httpx.Headers for every segment was work done twice."""
        headers = dict(extra or {})
        if any(name.lower() == "user-agent" for name in headers):
            return headers
        return {"User-Agent": self.options.user_agent, **headers}

    def _count(self, host: str) -> None:
        self.stats.requests += 1
        self.stats.by_host[host] = self.stats.by_host.get(host, 0) + 1
