"""The error tree. Every error has a stable ``code`` (the "error class" recorded on a source)."""

from __future__ import annotations


class MimirError(Exception):
    """Base of every error Mimir raises on purpose."""

    code = "error"
    status = 500

    def __init__(self, message: str = "") -> None:
        super().__init__(message or self.__class__.__doc__ or self.code)
        self.message = message or (self.__class__.__doc__ or self.code).strip()


class ConfigError(MimirError):
    """A setting is missing or invalid."""

    code = "config_error"


class InputError(MimirError):
    """User input (a URL, a file, an argument) is invalid."""

    code = "invalid_input"
    status = 400


class QuerySyntaxError(InputError):
    """A search query is not valid; ``position`` (0-based) is where the problem is."""

    code = "query_syntax"

    def __init__(self, reason: str, query: str, position: int) -> None:
        self.reason = reason
        self.query = query
        self.position = max(0, min(position, len(query)))
        shown = query.replace("\t", " ").replace("\r", " ").replace("\n", " ")
        super().__init__(
            f"{reason} (at position {self.position})\n  {shown}\n  {' ' * self.position}^"
        )


class NotFound(MimirError):
    """The requested object does not exist."""

    code = "not_found"
    status = 404


class Conflict(InputError):
    """The request conflicts with what exists (a name taken, say)."""

    code = "conflict"
    status = 409


class Unauthenticated(MimirError):
    """Sign in, or send an API key, to do this."""

    code = "unauthenticated"
    status = 401


class Forbidden(MimirError):
    """Your role or your key's scopes do not allow this."""

    code = "forbidden"
    status = 403


class Throttled(MimirError):
    """Too many attempts; ``retry_after_seconds`` says when to try again."""

    code = "throttled"
    status = 429

    def __init__(self, message: str, retry_after_seconds: int) -> None:
        super().__init__(message)
        self.retry_after_seconds = max(1, retry_after_seconds)


# ---- fetching -------------------------------------------------------------------------------


class FetchError(MimirError):
    """Fetching a URL failed."""

    code = "fetch_error"
    status = 502
    #: counted against the source? (False for our own outages)
    counts_against_source = True
    #: seconds the server asked us to wait (Retry-After), if any
    retry_after_seconds: float | None = None


class InvalidURL(FetchError):
    """The URL is not an absolute http(s) URL."""

    code = "invalid_url"


class BlockedAddress(FetchError):
    """The host resolves to an address Mimir may not fetch from (SSRF guard)."""

    code = "blocked_address"


class DNSError(FetchError):
    """The host name does not resolve."""

    code = "dns_error"


class ConnectError(FetchError):
    """The connection could not be made or was dropped."""

    code = "connect_error"


class TLSError(FetchError):
    """The server was reached but its TLS certificate or handshake was not accepted."""

    code = "tls_error"


class FetchTimeout(FetchError):
    """The server was too slow (connect, read or total deadline)."""

    code = "timeout"


class TooManyRedirects(FetchError):
    """More redirects than allowed, or a redirect loop."""

    code = "too_many_redirects"


class BodyTooLarge(FetchError):
    """The body (after decompression) exceeds the cap."""

    code = "body_too_large"


class HTTPStatusError(FetchError):
    """The server answered with an error status."""

    code = "http_error"

    def __init__(self, message: str, status_code: int) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.code = f"http_{status_code}"


class BotChallenge(HTTPStatusError):
    """A bot-protection service (Cloudflare, DataDome, Akamai...) answered with a challenge or
    block page instead of the resource (mimir.process.walls.bot_wall)."""

    def __init__(self, message: str, status_code: int, service: str) -> None:
        super().__init__(message, status_code)
        self.service = service
        self.code = "bot_challenge"


class RateLimited(FetchError):
    """The server answered 429/503 with Retry-After, or the host is cooling down."""

    code = "rate_limited"

    def __init__(self, message: str, retry_after_seconds: float | None = None) -> None:
        super().__init__(message)
        self.retry_after_seconds = retry_after_seconds


class RobotsDenied(FetchError):
    """robots.txt disallows this URL for our User-Agent."""

    code = "robots_denied"


class NetworkDown(FetchError):
    """Mimir itself has no network; not the source's fault."""

    code = "network_down"
    counts_against_source = False


# ---- understanding --------------------------------------------------------------------------


class ParseError(MimirError):
    """The document could not be understood."""

    code = "parse_error"
    status = 422


class NotAFeed(ParseError):
    """The document is not a feed (for example an HTML page served as one)."""

    code = "not_a_feed"


class ExtractionError(ParseError):
    """No article text could be extracted from the page."""

    code = "extraction_error"


class ExtractionCrashed(ExtractionError):
    """The extraction libraries raised an unexpected error on this page (it is stored from the
    feed's values, as any page whose extraction fails, instead of being retried forever)."""

    code = "extraction_crashed"


class ExtractorDied(ExtractionError):
    """The extraction process working on this document died (a new one took its place)."""

    code = "extractor_died"


class ExtractionTimeout(ExtractorDied):
    """The document took longer than the deadline: its process was stopped and replaced."""

    code = "extraction_timeout"
