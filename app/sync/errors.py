"""How the engine sorts platform failures (SYNC_PROTOCOL.md "Terminal side: what each outcome does").

Every error carries `message_zh`, a plain-Chinese line for the status bar; none carries personal data.
"""

from __future__ import annotations


class PlatformError(Exception):
    message_zh = "与平台通信失败。"

    def __init__(self, detail: str = "", *, status: int | None = None) -> None:
        super().__init__(detail or type(self).__name__)
        self.status = status


class TransientError(PlatformError):
    """Network down, timeout, 5xx, 429/503: back off (at least `retry_after` seconds when given) and retry."""

    message_zh = "无法连接平台，稍后自动重试。"

    def __init__(self, detail: str = "", *, status: int | None = None, retry_after: float | None = None) -> None:
        super().__init__(detail, status=status)
        self.retry_after = retry_after


class NetworkError(TransientError):
    message_zh = "网络不通，记录已保存在本机，恢复后自动上传。"


class ServerError(TransientError):
    """500/502/504: if the same batch keeps failing, it may hold a poison record: bisect."""

    message_zh = "平台暂时出错，稍后自动重试。"


class BusyError(TransientError):
    """429/503 with Retry-After."""

    message_zh = "平台繁忙，稍后自动重试。"


#: The sync service's answer to a checked case query the platform refused after too many wrong checks.
TOO_MANY_CHECKS = "too_many_checks"


class TooManyChecksError(PlatformError):
    """429 `too_many_checks`: the kiosk's progress check of this case (or from this device) is refused for a while
    after too many wrong checks. Not retried: the citizen is told to try later."""

    message_zh = "查询次数过多，请稍后再试。"


class BatchRefusedError(PlatformError):
    """400/413 for the batch as a whole: halve it."""

    message_zh = "平台拒收本批数据，正在拆分重试。"


class ClockSkewError(PlatformError):
    message_zh = "本机时钟与平台相差过大，请校准系统时间。"

    def __init__(self, server_time: float) -> None:
        super().__init__("clock_skew", status=401)
        self.server_time = server_time


class AuthFailedError(PlatformError):
    """401 bad_signature / replay / unknown_device."""

    message_zh = "平台认证失败，请联系管理员检查本终端的注册。"

    def __init__(self, code: str) -> None:
        super().__init__(code, status=401)
        self.code = code


class RevokedError(PlatformError):
    message_zh = "本终端已被平台停用，数据已保留在本机，请联系管理员重新注册。"


class UpgradeRequiredError(PlatformError):
    message_zh = "平台要求升级本终端软件，上传已暂停，数据已保留在本机。"


class CursorGoneError(PlatformError):
    """410 on updates: the cursor is older than the platform keeps (or from before a restore)."""


class NotFoundError(PlatformError):
    message_zh = "平台上没有找到该记录。"


class EnrolmentError(PlatformError):
    message_zh = "注册失败：注册码无效或已过期。"

    def __init__(self, code: str, message: str = "") -> None:
        super().__init__(code)
        self.code = code
        self.message = message
        if code == "bad_identity":  # the platform cannot issue the code's hall or window (docs/central.md)
            self.message_zh = "注册失败：该注册码的大厅或窗口编号不可用，请平台管理员重新生成注册码。"


class EnrolmentAddressError(EnrolmentError):
    """The address answered, but not as the platform does (404, a web page, another service): the address is
    wrong, not the code (issue 11)."""

    message_zh = "注册失败：该地址上没有通办平台，请核对平台地址（例如 https://平台域名，不带其他路径）。"


class EnrolmentUnreachableError(EnrolmentError):
    message_zh = "注册失败：无法连接该地址，请核对平台地址、端口和网络。"


class NotEnrolledError(PlatformError):
    message_zh = "本终端尚未注册到平台（离线模式）。"


class BadResponseError(TransientError):
    """A 2xx answer that is not what the protocol says (truncated, wrong shape): treat as a lost answer."""

    message_zh = "平台应答不完整，稍后自动重试。"


class LicenceRefusedError(PlatformError):
    """The licence library refused: `consent_required` (403), `unknown_licence` (404) or `bad_field` (400)."""

    message_zh = "电子证照库拒绝了请求。"
