"""Issued documents as PDF: the .docx rendered by LibreOffice, with the Chinese faces the templates name.

Two routes (DESIGN, "Enforcement documents"):

- **warm** — a LibreOffice kept running behind unoserver (``zhifa unoserver``, started by ``scripts/serve``); a
  conversion is an XML-RPC call: about 0.12 s for a four-page decision on the 2-core bench machine;
- **cold** — when that server is not running, a one-shot ``soffice --headless --convert-to pdf`` in a temporary
  directory with its own profile: about 1 s there with LibreOffice's files in the page cache, several seconds
  otherwise (LibreOffice starts and builds a profile each time). ``bench/documents.py`` measures both.

Both run LibreOffice with ``FONTCONFIG_FILE`` pointing at ``fonts/fonts.conf``, which maps 仿宋_GB2312,
方正小标宋简体, 楷体_GB2312, 黑体 … to Debian's Noto CJK faces. Without it fontconfig matches those names by language
alone and 仿宋 text comes out in Noto Sans CJK, a 黑体 face.

Configuration (Django settings when configured, otherwise environment variables of the same name):

- ``ZHIFA_UNOSERVER`` — ``host:port`` of the warm server, default ``127.0.0.1:2003``;
- ``ZHIFA_SOFFICE`` — path of ``soffice``, default found on PATH (a path that does not exist means "no LibreOffice");
- ``ZHIFA_UNO_PYTHON`` — a Python that can ``import uno`` to run the server under, default found (Debian:
  ``/usr/bin/python3`` with ``python3-uno``).

Also a command line without Django: ``python -m zhifa.documents.pdf serve|status|convert IN.docx OUT.pdf``.
"""

from __future__ import annotations

import contextlib
import functools
import glob
import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import xmlrpc.client
from pathlib import Path

FONTS_CONF = Path(__file__).resolve().parent / "fonts" / "fonts.conf"
DEFAULT_ADDRESS = "127.0.0.1:2003"
DEFAULT_UNO_PORT = 2002
READY_TIMEOUT = 60.0
# The server kills LibreOffice (and exits) when one conversion takes longer than this: a document that hangs
# LibreOffice would otherwise block every later request, the XML-RPC server being single-threaded.
SERVER_CONVERSION_TIMEOUT = 120
# Connecting to a local server either succeeds or is refused at once; a remote one gets a few seconds.
_CONNECT_TIMEOUT = 3.0
# The faces the status page reports: what each name the templates use is set in.
STATUS_FACES = ("仿宋_GB2312", "方正小标宋简体", "楷体_GB2312", "黑体")
_LO_PROGRAMS = ("/usr/lib/libreoffice/program/soffice", "/opt/libreoffice*/program/soffice",
                "/Applications/LibreOffice.app/Contents/MacOS/soffice")


class PdfUnavailable(Exception):
    """Neither the warm server nor ``soffice`` is there: the document can still be downloaded as .docx."""

    def __init__(self, detail: str | None = None):
        self.detail = detail or f"找不到 soffice，转换服务 {address()} 也未运行"
        super().__init__(f"PDF 暂不可用：未安装 LibreOffice（{self.detail}）；仍可下载 .docx")


class ServerUnavailable(Exception):
    """The warm server cannot start (no Python with ``uno``, its port taken, LibreOffice not coming up): PDF still
    works while LibreOffice is installed, one-shot (seconds a document)."""

    def __init__(self, detail: str):
        self.detail = detail
        super().__init__(f"LibreOffice 转换服务无法启动：{detail}；"
                         "文书 PDF 仍可用，每份改用一次性的 soffice 转换（较慢）")


class PdfConversionError(PdfUnavailable):
    """LibreOffice is there but could not turn this document into a PDF (or not in time).

    A PdfUnavailable too: for whoever issues a document the outcome is the same — the .docx stands, the PDF can be
    made later — so ``except PdfUnavailable`` covers both; catch this one to tell them apart.
    """

    def __init__(self, detail: str):
        self.detail = detail
        Exception.__init__(self, f"PDF 转换失败：{detail}；仍可下载 .docx")


# --- configuration --------------------------------------------------------------------------------------------


def _setting(name: str, default: str | None = None) -> str | None:
    if os.environ.get("DJANGO_SETTINGS_MODULE"):
        try:
            from django.conf import settings

            value = getattr(settings, name, None)
        except Exception:  # settings that fail to load must not take PDF down: the env still works
            value = None
        if value:
            return str(value)
    return os.environ.get(name) or default


def address() -> str:
    """``host:port`` of the warm server."""
    value = _setting("ZHIFA_UNOSERVER", DEFAULT_ADDRESS) or DEFAULT_ADDRESS
    return value.removeprefix("http://").rstrip("/")


def host_port(addr: str) -> tuple[str, int]:
    """``("127.0.0.1", 2003)`` from ``"127.0.0.1:2003"``."""
    host, _, port = addr.rpartition(":")
    return (host or "127.0.0.1").strip("[]"), int(port)


def soffice() -> str | None:
    """The ``soffice`` to run, or None when LibreOffice is not installed."""
    override = _setting("ZHIFA_SOFFICE")
    if override:
        return override if os.access(override, os.X_OK) else None
    for name in ("soffice", "libreoffice"):
        if found := shutil.which(name):
            return found
    for pattern in _LO_PROGRAMS:
        for found in sorted(glob.glob(pattern)):
            if os.access(found, os.X_OK):
                return found
    return None


def cache_dir() -> Path:
    """Where the warm server keeps its LibreOffice profile: ``var/libreoffice`` of the project, else a temp dir."""
    var = None
    if os.environ.get("DJANGO_SETTINGS_MODULE"):
        with contextlib.suppress(Exception):
            from django.conf import settings

            var = getattr(settings, "VAR_DIR", None)
    path = Path(var) / "libreoffice" if var else Path(tempfile.gettempdir()) / f"zhifa-libreoffice-{os.getuid()}"
    path.mkdir(parents=True, exist_ok=True)
    return path


def lo_env() -> dict[str, str]:
    """The environment LibreOffice runs in: ours, with the project's font aliases."""
    env = dict(os.environ)
    if FONTS_CONF.exists():
        env["FONTCONFIG_FILE"] = str(FONTS_CONF)
    # the venv's Python settings mean nothing to LibreOffice's (or the system's) Python
    env.pop("PYTHONHOME", None)
    return env


# --- the warm route: unoserver over XML-RPC -------------------------------------------------------------------


class _Connection(http.client.HTTPConnection):
    def __init__(self, host: str, read_timeout: float):
        super().__init__(host, timeout=min(_CONNECT_TIMEOUT, read_timeout))
        self._read_timeout = read_timeout

    def connect(self):
        super().connect()
        self.sock.settimeout(self._read_timeout)


class _Transport(xmlrpc.client.Transport):
    """xmlrpc.client has no timeout: without one a LibreOffice that hangs would hang the request that waits for it."""

    def __init__(self, timeout: float):
        super().__init__()
        self._timeout = timeout

    def make_connection(self, host):
        if self._connection and host == self._connection[0]:
            return self._connection[1]
        chost, self._extra_headers, _ = self.get_host_info(host)
        self._connection = host, _Connection(chost, self._timeout)
        return self._connection[1]


def _proxy(addr: str, timeout: float) -> xmlrpc.client.ServerProxy:
    return xmlrpc.client.ServerProxy(f"http://{addr}", transport=_Transport(timeout), allow_none=True)


# One conversion at a time from this process: the server converts one document at a time anyway, and its listen
# queue is short (5), so many threads of one web worker would only crowd it.
_warm_lock = threading.Lock()


def _server_info(addr: str, timeout: float = 2.0) -> dict:
    with _proxy(addr, timeout) as proxy:
        return proxy.info()


def _convert_warm(addr: str, docx: bytes, timeout: float) -> bytes | None:
    """The PDF from the warm server; None when no server answers at ``addr``.

    The call is unoserver's ``UnoClient.convert(indata=docx, convert_to="pdf")`` (API 3) made directly: the client's
    own connect retries five times ten seconds when the server is down, and it sets no timeout.
    """
    started = time.monotonic()
    if not _warm_lock.acquire(timeout=timeout):
        raise PdfConversionError(f"{_seconds(timeout)} 秒内未轮到转换（本进程的其他文书仍在转换）")
    try:
        left = timeout - (time.monotonic() - started)
        with _proxy(addr, max(left, 0.1)) as proxy:
            # inpath, indata, outpath, convert_to, filtername, filter_options, update_index, infiltername, password
            result = proxy.convert(None, docx, None, "pdf", None, [], True, None, None)
    except ConnectionError:
        # refused: no server; reset before an answer: the server went away (e.g. it is being restarted)
        return None
    except TimeoutError as exc:
        raise PdfConversionError(f"LibreOffice 转换服务在 {_seconds(timeout)} 秒内没有完成") from exc
    except xmlrpc.client.Fault as exc:
        raise PdfConversionError(f"LibreOffice 无法转换该文档（{_tail(exc.faultString)}）") from exc
    except (xmlrpc.client.ProtocolError, http.client.HTTPException, OSError) as exc:
        raise PdfConversionError(f"LibreOffice 转换服务 {addr} 出错（{exc}）") from exc
    finally:
        _warm_lock.release()
    data = getattr(result, "data", result)
    if not data or not bytes(data[:5]) == b"%PDF-":
        raise PdfConversionError("LibreOffice 转换服务没有返回 PDF")
    return bytes(data)


def _tail(text: str, n: int = 300) -> str:
    lines = [line for line in str(text).strip().splitlines() if line.strip()]
    return (lines[-1] if lines else "")[-n:]


# --- the cold route: one-shot soffice --------------------------------------------------------------------------


def _kill_group(proc: subprocess.Popen, sig: int = signal.SIGKILL) -> None:
    # soffice is a shell script that starts oosplash, which starts soffice.bin: killing only the first would leave
    # LibreOffice running, so each is started in a session of its own and the whole group goes.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, sig)


def _seconds(t: float) -> str:
    return f"{t:.0f}" if t >= 1 else f"{t:.1f}"


def _convert_soffice(program: str, docx: bytes, timeout: float, budget: float | None = None) -> bytes:
    """``timeout``: seconds left for this conversion; ``budget``: the caller's whole timeout, for the message."""
    with tempfile.TemporaryDirectory(prefix="zhifa-pdf-") as tmp:
        work = Path(tmp)
        source, out = work / "document.docx", work / "out"
        source.write_bytes(docx)
        # A profile of its own: LibreOffice locks its profile, and a second soffice on the same profile (another
        # conversion, or the warm server) would hand its work to the first or wait for it instead of converting.
        cmd = [program, "--headless", "--norestore", "--nologo", "--nodefault", "--nofirststartwizard",
               f"-env:UserInstallation={(work / 'profile').as_uri()}",
               "--convert-to", "pdf", "--outdir", str(out), str(source)]
        proc = subprocess.Popen(cmd, cwd=work, env=lo_env(), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, start_new_session=True)
        try:
            stdout, stderr = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill_group(proc)
            proc.communicate()
            raise PdfConversionError(f"LibreOffice 在 {_seconds(budget or timeout)} 秒内没有完成转换，已终止") from None
        finally:
            # oosplash can leave soffice.bin behind when it is itself killed by a signal
            _kill_group(proc)
        pdf = out / "document.pdf"
        if proc.returncode != 0 or not pdf.exists():
            said = _tail((stderr or stdout or b"").decode("utf-8", "replace")) or f"退出码 {proc.returncode}"
            raise PdfConversionError(f"LibreOffice 无法转换该文档（{said}）")
        return pdf.read_bytes()


# --- the public functions -------------------------------------------------------------------------------------


def _reachable(addr: str, timeout: float = 0.3) -> bool:
    try:
        with socket.create_connection(host_port(addr), timeout=timeout):
            return True
    except (OSError, ValueError):
        return False


def available() -> bool:
    """Whether a PDF can be made now: ``soffice`` is installed or the warm server is listening."""
    return soffice() is not None or _reachable(address())


def to_pdf(docx: bytes, *, timeout: float = 60) -> bytes:
    """The PDF of a .docx: from the warm server when it runs, otherwise from a one-shot ``soffice``.

    Raises PdfUnavailable when neither is there, PdfConversionError when LibreOffice fails or takes longer than
    ``timeout`` seconds in all (a one-shot LibreOffice that overruns is killed).
    """
    deadline = time.monotonic() + timeout
    addr = address()
    pdf = _convert_warm(addr, docx, timeout)
    if pdf is not None:
        return pdf
    program = soffice()
    if program is None:
        raise PdfUnavailable()
    left = deadline - time.monotonic()
    if left <= 0:
        raise PdfConversionError(f"LibreOffice 在 {_seconds(timeout)} 秒内没有完成转换")
    return _convert_soffice(program, docx, left, timeout)


@functools.cache
def _soffice_version(program: str) -> str | None:
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        out = subprocess.run([program, "--version"], capture_output=True, text=True, timeout=20, env=lo_env())
        return out.stdout.strip() or None
    return None


def faces(names: tuple[str, ...] = STATUS_FACES) -> dict[str, str | None]:
    """The face fontconfig gives LibreOffice for each name (``fc-match`` with the project's aliases)."""
    result: dict[str, str | None] = dict.fromkeys(names)
    if not shutil.which("fc-match"):
        return result
    for name in names:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            out = subprocess.run(["fc-match", "-f", "%{family[0]}", f"{name}:lang=zh-cn"], capture_output=True,
                                 text=True, timeout=10, env=lo_env())
            result[name] = out.stdout.strip() or None
    return result


def status() -> dict:
    """What the admin status page shows: which route a conversion takes now, and what is installed.

    ``route`` is ``"unoserver"``, ``"soffice"`` or None (PDF unavailable).
    """
    addr = address()
    server: dict = {"address": addr, "running": False}
    if _reachable(addr):
        try:
            info = _server_info(addr)
            server.update(running=True, unoserver=info.get("unoserver"), api=info.get("api"),
                          libreoffice=info.get("libreoffice_version"))
        except (OSError, xmlrpc.client.Error) as exc:
            server["error"] = str(exc)
    program = soffice()
    route = "unoserver" if server["running"] else "soffice" if program else None
    return {
        "route": route,
        "available": route is not None,
        "unoserver": server,
        "soffice": {"path": program, "version": _soffice_version(program) if program else None},
        "uno_python": uno_python(),
        "fonts": {"config": str(FONTS_CONF), "exists": FONTS_CONF.exists(), "faces": faces()},
    }


# --- the warm server ------------------------------------------------------------------------------------------


def _imports_uno(python: str) -> bool:
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        return subprocess.run([python, "-c", "import uno"], capture_output=True, timeout=30,
                              env=lo_env()).returncode == 0
    return False


@functools.cache
def _find_uno_python(override: str | None, program: str | None) -> str | None:
    if override:
        return override if _imports_uno(override) else None
    candidates = [sys.executable, "/usr/bin/python3"]
    if program:
        # LibreOffice's own builds (/opt/libreoffice…, macOS) bring a Python next to soffice
        candidates.append(str(Path(os.path.realpath(program)).parent / "python"))
    for python in dict.fromkeys(candidates):
        if os.access(python, os.X_OK) and _imports_uno(python):
            return python
    return None


def uno_python() -> str | None:
    """A Python that can ``import uno`` (unoserver's server runs in it), or None."""
    return _find_uno_python(_setting("ZHIFA_UNO_PYTHON"), soffice())


# unoserver is installed in this venv, but its server must run in the Python that has LibreOffice's ``uno``
# (Debian's python3-uno: the system Python, another version): that Python is given our unoserver's directory.
_BOOT = ("import sys; sys.path.insert(0, sys.argv.pop(1)); sys.argv[0] = 'unoserver'; "
         "from unoserver.server import main; sys.exit(main())")


def start_server(port: int = 2003, uno_port: int = DEFAULT_UNO_PORT, *, host: str = "127.0.0.1",
                 profile: Path | str | None = None, stdout=None, stderr=None) -> subprocess.Popen:
    """Start the warm converter (unoserver and its LibreOffice) in the background and return at once.

    The process leads a session of its own: ``stop_server`` ends it with its LibreOffice. Wait for it with
    ``wait_ready``. ``profile`` is the LibreOffice profile directory, by default one per port under ``cache_dir()``
    (kept between runs: a new profile costs a few seconds on the first start).
    """
    program = soffice()
    if program is None:
        raise PdfUnavailable()
    python = uno_python()
    if python is None:
        raise ServerUnavailable("找不到能导入 uno 的 Python"
                                "（Debian：apt-get install python3-uno，或设置 ZHIFA_UNO_PYTHON）")
    if _reachable(f"{host}:{port}") or _reachable(f"{host}:{uno_port}"):
        raise ServerUnavailable(f"端口 {port} 或 {uno_port} 已被占用（转换服务可能已在运行）")
    import unoserver

    site = str(Path(unoserver.__file__).resolve().parent.parent)
    profile = Path(profile) if profile else cache_dir() / f"profile-{port}"
    profile.mkdir(parents=True, exist_ok=True)
    # a server killed without warning leaves its lock; nothing else uses a profile named after this free port
    (profile / ".lock").unlink(missing_ok=True)
    cmd = [python, "-c", _BOOT, site, "--interface", host, "--port", str(port), "--uno-port", str(uno_port),
           "--executable", program, "--user-installation", str(profile),
           "--conversion-timeout", str(SERVER_CONVERSION_TIMEOUT)]
    return subprocess.Popen(cmd, env=lo_env(), stdin=subprocess.DEVNULL, stdout=stdout, stderr=stderr,
                            start_new_session=True)


def wait_ready(addr: str | None = None, *, proc: subprocess.Popen | None = None,
               timeout: float = READY_TIMEOUT) -> dict:
    """Poll the server's XML-RPC port until it answers; its ``info()`` (versions). Raises ServerUnavailable when
    ``proc`` exits first or ``timeout`` seconds pass (and then stops ``proc``)."""
    addr = addr or address()
    deadline = time.monotonic() + timeout
    while True:
        if proc is not None and proc.poll() is not None:
            stop_server(proc)
            raise ServerUnavailable(f"unoserver 退出（退出码 {proc.returncode}）")
        try:
            # unoserver listens before LibreOffice is up and only answers once it is: a short call timeout
            info = _server_info(addr, timeout=max(0.5, min(3.0, deadline - time.monotonic())))
            from unoserver.client import API_VERSION

            if str(info.get("api")) != API_VERSION:
                raise ServerUnavailable(f"{addr} 的接口版本 {info.get('api')} 与本程序（{API_VERSION}）不符")
            return info
        except (OSError, xmlrpc.client.ProtocolError, http.client.HTTPException):
            pass
        if time.monotonic() >= deadline:
            if proc is not None:
                stop_server(proc)
            raise ServerUnavailable(f"{timeout:.0f} 秒内未就绪")
        time.sleep(0.25)


def stop_server(proc: subprocess.Popen, timeout: float = 10.0) -> None:
    """End a server from ``start_server`` and its LibreOffice: TERM, then KILL if it lingers."""
    # TERM to unoserver alone: it passes the signal on to LibreOffice and waits for it. TERM to the whole group
    # kills soffice.bin under oosplash, and oosplash then never exits (seen with LibreOffice 7.4).
    with contextlib.suppress(ProcessLookupError):
        proc.terminate()
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout)
    # soffice.bin may outlive unoserver (it is told by signal, not waited for)
    _kill_group(proc, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(1)
    # so that a caller may start another server on the same ports or profile at once
    for _ in range(40):
        try:
            os.killpg(proc.pid, 0)
        except (ProcessLookupError, PermissionError):
            break
        time.sleep(0.05)


def serve(port: int | None = None, uno_port: int = DEFAULT_UNO_PORT, *, on_ready=None, on_restart=None) -> int:
    """Run the warm converter in the foreground until it is killed (TERM, HUP, Ctrl+C).

    ``on_ready(info)`` is called each time it answers. When LibreOffice dies (a crash, or unoserver's own kill of a
    conversion that ran past SERVER_CONVERSION_TIMEOUT) the server is started again after ``on_restart(code)``,
    unless it died within a minute three times running. Returns 0 when stopped by a signal, otherwise the exit
    status of the last run.
    """
    host, default_port = host_port(address())
    port = port or default_port

    def _stop(signum, frame):
        raise KeyboardInterrupt

    previous = {sig: signal.signal(sig, _stop) for sig in (signal.SIGTERM, signal.SIGHUP)}
    proc = None
    quick_deaths = 0
    try:
        while True:
            proc = start_server(port, uno_port, host=host)
            started = time.monotonic()
            info = wait_ready(f"{host}:{port}", proc=proc)
            if on_ready:
                on_ready(info)
            code = proc.wait()
            stop_server(proc)
            quick_deaths = quick_deaths + 1 if time.monotonic() - started < 60 else 0
            if quick_deaths >= 3:
                return code
            if on_restart:
                on_restart(code)
    except KeyboardInterrupt:
        return 0
    finally:
        if proc is not None:
            stop_server(proc)
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def ready_line(info: dict, addr: str) -> str:
    return (f"LibreOffice 转换服务已就绪：{addr}（{info.get('libreoffice_version') or 'LibreOffice'}，"
            f"unoserver {info.get('unoserver')}），文书 PDF 可用")


def main(argv: list[str] | None = None) -> int:
    import argparse
    import json

    parser = argparse.ArgumentParser(prog="python -m zhifa.documents.pdf", description="文书 PDF（LibreOffice）")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("serve", help="在前台运行 LibreOffice 转换服务（unoserver）")
    run.add_argument("--port", type=int)
    run.add_argument("--uno-port", type=int, default=DEFAULT_UNO_PORT)
    sub.add_parser("status", help="PDF 转换途径、版本和字体")
    conv = sub.add_parser("convert", help="把 .docx 转为 PDF")
    conv.add_argument("docx")
    conv.add_argument("pdf")
    args = parser.parse_args(argv)
    try:
        if args.command == "serve":
            port = args.port or host_port(address())[1]
            return serve(port, args.uno_port,
                         on_ready=lambda info: print(ready_line(info, f"{host_port(address())[0]}:{port}"),
                                                     flush=True))
        if args.command == "status":
            print(json.dumps(status(), ensure_ascii=False, indent=2))
            return 0
        Path(args.pdf).write_bytes(to_pdf(Path(args.docx).read_bytes()))
        return 0
    except (PdfUnavailable, ServerUnavailable, PdfConversionError) as exc:
        print(exc, file=sys.stderr)
        # no LibreOffice (or no uno) is not a failure of "serve": PDF is then just unavailable (or cold)
        return 0 if args.command == "serve" and (soffice() is None or uno_python() is None) else 1


if __name__ == "__main__":
    sys.exit(main())
