"""udp/tftp-client: tftp_download against a real TFTP server (tftpy) run by the test, RFC 1350, octet mode.

The server serves files of bytes of every value; a download must arrive byte-identical (compared
block by block through the CRC32 of each 512-byte block).  Faults tftpy cannot make (a lost DATA,
a repeated DATA, a stray packet from another port, an ERROR half-way, an address other than
127.0.0.1, several downloads held until all have started) come from ``kit.udp_faults``' proxy in
front of tftpy, at the same packet on every run.  A server that never answers is a bound socket of
the test that only listens.  The checks whose failure may be a hang come last.
"""
from __future__ import annotations

import select
import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from grader.feedback import check, fail
from kit.calls import raised
from kit.udp_faults import INJECTED_ERROR, STRAY_BYTES, TftpFaults
from kit.udp_tftp import BLOCK, Served, make_files, tftp_server

SMALL = {"empty.bin": 0, "511.bin": 511, "512.bin": 512, "513.bin": 513}
WRAP = "wrap.bin"  # 65538 DATA packets: numbered 1 … 65535, then 0, 1, 2
FAULTY = "rabbit.jpg"  # 9 DATA packets (8 full ones), for the faults
SIZES = {**SMALL, WRAP: 65537 * BLOCK + 100, FAULTY: 8 * BLOCK + 100, "a.bin": 20 * BLOCK + 7, "b.bin": 30 * BLOCK + 11}
FAULT_HOST = "127.0.0.2"  # the proxy's address: not 127.0.0.1, so a hard-coded address shows
TIMEOUT, RETRIES = 0.3, 5  # what the checks pass to tftp_download, unless they say otherwise
DEST = "download.bin"

TID_HINT = dict(
    hint_zh="服务器从一个新端口（本次传输的 TID）发来 DATA：把 ACK 发到 recvfrom 返回的那个地址 (ip, 端口)，"
            "不要发到请求用的端口，也不要写死 IP。",
    hint_en="The server sends DATA from a new port (the transfer's TID): send each ACK to the address (ip, port) "
            "recvfrom returned with it, not to the port the request went to, and never to a hard-coded IP.",
)
RETRANSMIT_HINT = dict(
    hint_zh="sock.settimeout(timeout)；recvfrom 超时（socket.timeout / TimeoutError）时把上一个报文（请求或上一个 ACK）"
            "再发一次，最多 retries 次；再超时才 raise TimeoutError。",
    hint_en="sock.settimeout(timeout); when recvfrom times out (socket.timeout / TimeoutError), send your last packet "
            "(the request or the last ACK) again, at most retries times; only after that raise TimeoutError.",
)


# -- the server and its files -----------------------------------------------------------------
@pytest.fixture(scope="module")
def tftp_root(tmp_path_factory) -> Path:
    """The folder tftpy serves (made once per grading process)."""
    return tmp_path_factory.mktemp("tftproot")


@pytest.fixture(scope="module")
def files(tftp_root) -> dict[str, Served]:
    return make_files(tftp_root, SIZES)


@pytest.fixture
def server(tftp_root, files):
    """tftpy on 127.0.0.1, a port the OS picked, serving ``files``; its (host, port)."""
    with tftp_server(tftp_root) as address:
        yield address


def served(files, name: str) -> Served:
    return files[name]


# -- what a download left -------------------------------------------------------------------
@dataclass(frozen=True)
class Download:
    """A probe's record of one tftp_download call."""

    call: str  # the call as the learner reads it
    value: object
    error: dict | None
    file: dict  # exists, size, crcs (4 bytes per block), data (small files)
    open: dict | None = None  # sockets / files left open by the call

    @classmethod
    def of(cls, call: str, record: dict) -> Download:
        return cls(call, record["value"], record["error"], record["file"], record.get("open"))


def call_text(host, port, filename, dest=DEST, timeout=TIMEOUT, retries=RETRIES) -> str:
    return f"tftp_download({host!r}, {port}, {filename!r}, {dest!r}, timeout={timeout}, retries={retries})"


def download(learner, address, filename, *, timeout=TIMEOUT, retries=RETRIES, limit=None) -> Download:
    host, port = address
    record = learner.call("download", host, port, filename, DEST, timeout, retries, timeout=limit)
    return Download.of(call_text(host, port, filename, timeout=timeout, retries=retries), record)


def block_range(index: int) -> str:
    n, wire, start = index + 1, (index + 1) % 65536, index * BLOCK
    return f"DATA #{n}（线上块编号 {wire}，从第 {start} 字节起）/ DATA #{n} (block number {wire} on the wire, from byte {start})"


def where_different(got: dict, want: Served) -> str:
    """The first 512-byte block in which the file differs from the server's, as the learner reads it."""
    mine, theirs = got["crcs"], want.block_crcs()
    for i in range(0, min(len(mine), len(theirs)), 4):
        if mine[i:i + 4] != theirs[i:i + 4]:
            index = i // 4
            shown = ""
            if got.get("data") is not None:
                shown = (f"\n  得到 / got      {got['data'][index * BLOCK:index * BLOCK + 16].hex(' ')}"
                         f"\n  期望 / expected {want.data[index * BLOCK:index * BLOCK + 16].hex(' ')}")
            return f"第一个不同的块 / first block that differs: {block_range(index)}{shown}"
    common, gap = min(got["size"], len(want.data)), abs(got["size"] - len(want.data))
    if got["size"] < len(want.data):
        return f"前 {common} 字节都对，后面少了 {gap} 字节 / the first {common} bytes are right, then {gap} bytes are missing"
    return f"前 {common} 字节都对，后面多了 {gap} 字节 / the first {common} bytes are right, then come {gap} bytes too many"


def succeeded(dl: Download, want: Served, **kw):
    """The call returned the file's size and left exactly the server's bytes at dest."""
    if dl.error is not None:
        raised(dl.error, dl.call, **kw)
    got = dl.file
    check(got["exists"], f"{dl.call} 返回了，但 {DEST} 不存在。", f"{dl.call} returned, but there is no file {DEST}.", **kw)
    same = got["size"] == len(want.data) and got["crcs"] == want.block_crcs()
    check(same, f"下载的 {want.name} 与服务器上的不一样（{got['size']} 字节，应为 {len(want.data)} 字节）。",
          f"The downloaded {want.name} differs from the server's ({got['size']} bytes, expected {len(want.data)}).",
          sent=dl.call, details=None if same else where_different(got, want), **kw)
    check(type(dl.value) is int and dl.value == len(want.data), "tftp_download 应返回写入的字节数。",
          "tftp_download must return the number of bytes written.", sent=dl.call, expected=len(want.data), got=dl.value)


# -- checks: the real server, files of every size -----------------------------------------------
@pytest.mark.parametrize("name", list(SMALL))
def test_downloads_small_file(learner, files, server, name):
    want = served(files, name)
    dl = download(learner, server, name)
    succeeded(dl, want,
              hint_zh="每个 DATA 最多 512 字节数据；数据不到 512 字节（可能是 0 字节）的那个 DATA 是最后一个：写入、回 ACK、结束。"
                      "文件大小是 512 的倍数时，最后会来一个空的 DATA。",
              hint_en="Each DATA carries at most 512 bytes; the DATA with fewer than 512 bytes (maybe 0) is the last: write "
                      "it, ACK it, stop. A file whose size is a multiple of 512 ends with an empty DATA.")


# -- checks: the transfer's own port, strangers --------------------------------------------------
def test_acks_go_to_the_data_port(learner, files, server):
    want = served(files, FAULTY)
    with TftpFaults(server, FAULT_HOST) as proxy:
        dl = download(learner, proxy.address, FAULTY)
    host, port = proxy.address
    astray = proxy.events(source="client", port="request", kind="ACK")
    tid = proxy.tid_ports[0] if proxy.tid_ports else None
    if astray:
        fail(f"ACK {astray[0].number} 发到了 {host}:{port}（发请求的端口），但 DATA 是从 {host}:{tid} 来的。",
             f"ACK {astray[0].number} went to {host}:{port} (the port the request went to), but the DATA came from "
             f"{host}:{tid}.", sent=dl.call, **TID_HINT)
    acks = proxy.events(source="client", port="tid", kind="ACK")
    if not acks:
        fail(f"DATA 1 从 {host}:{tid} 发来，可是那里一个 ACK 也没收到（ACK 发到了别的地址，比如写死的 127.0.0.1）。",
             f"DATA 1 came from {host}:{tid}, but no ACK ever arrived there (the ACKs went to some other address, "
             "e.g. a hard-coded 127.0.0.1).", sent=dl.call, **TID_HINT)
    succeeded(dl, want, **TID_HINT)


def test_ignores_packets_from_other_ports(learner, files, server):
    want = served(files, FAULTY)
    with TftpFaults(server, FAULT_HOST, stray=3) as proxy:
        dl = download(learner, proxy.address, FAULTY)
    strays = ", ".join(f"{ip}:{port}" for ip, port in (e.sender for e in proxy.events(action="stray sent")))
    tid = proxy.tid_ports[0] if proxy.tid_ports else None
    if dl.error is None and dl.file["exists"] and dl.file.get("data") and STRAY_BYTES * 4 in dl.file["data"]:
        fail(f"把别处（{strays}）发来的 DATA 3 写进了文件，但本次传输的 DATA 都来自 {FAULT_HOST}:{tid}。",
             f"It wrote a DATA 3 that came from elsewhere ({strays}) into the file, but this transfer's DATA all "
             f"come from {FAULT_HOST}:{tid}.", sent=dl.call, details=where_different(dl.file, want),
             hint_zh="记下第一个 DATA 的来源地址（TID）；之后来源 (ip, 端口) 与它不相等（!=）的报文都不是本次传输的，忽略它"
                     "（RFC 1350：可以回它一个 ERROR 5）。",
             hint_en="Remember the address the first DATA came from (the TID); a later packet whose (ip, port) is not "
                     "equal (!=) to it is not part of this transfer: ignore it (RFC 1350: you may answer it with ERROR 5).")
    succeeded(dl, want)


def test_duplicate_data_written_once(learner, files, server):
    want, n = served(files, FAULTY), 3
    with TftpFaults(server, FAULT_HOST, duplicate=n) as proxy:
        dl = download(learner, proxy.address, FAULTY)
    check(proxy.events(action="duplicated"), f"测试没能发出重复的 DATA {n}。", f"The test could not send DATA {n} twice.",
          sent=dl.call)
    succeeded(dl, want, hint_zh="块编号不是期望的下一个块（比如刚收到过的那个）时不要写入。",
              hint_en="Do not write a DATA whose block number is not the next one expected (e.g. the one just received).")
    acks = [e.number for e in proxy.events(source="client", port="tid", kind="ACK")]
    check(acks.count(n) >= 2, f"DATA {n} 来了两次，ACK {n} 却只发了一次：重复的 DATA 也要再回一个 ACK（只是不再写入）。",
          f"DATA {n} came twice but ACK {n} was sent once: a repeated DATA is ACKed again (only not written again).",
          sent=dl.call, expected=f"ACK {n} ×2", got=f"ACKs: {acks}",
          hint_zh="收到的块编号等于上一个块时：再发一次 ACK，不写文件（服务器重发 DATA 多半是因为你的 ACK 丢了）。",
          hint_en="When the block number is the previous block's: send its ACK again, write nothing (a server re-sends "
                  "a DATA mostly because your ACK was lost).")


def test_two_downloads_at_once(learner, files, server):
    wants = [served(files, "a.bin"), served(files, "b.bin")]
    jobs = [[w.name, f"{w.name}.part"] for w in wants]
    with TftpFaults(server, FAULT_HOST, together=2) as proxy:
        host, port = proxy.address
        records = learner.call("downloads_at_once", host, port, jobs, TIMEOUT, RETRIES)
        clients = [t.client for t in proxy.transfers.values()]
    sent = (f"两个线程同时 / two threads at once: tftp_download({host!r}, {port}, 'a.bin', 'a.bin.part', …) 和 / and "
            f"tftp_download({host!r}, {port}, 'b.bin', 'b.bin.part', …)")
    requests = proxy.events(source="client", port="request", kind="RRQ")
    check(len(clients) == 2, "两个下载同时进行时，测试服务器只看到 "
          f"{len(clients)} 个客户端地址（{sorted({e.sender for e in requests})}）。",
          f"With two downloads at once, the test server saw {len(clients)} client address(es) "
          f"({sorted({e.sender for e in requests})}).", sent=sent,
          hint_zh="每次调用 tftp_download 都要新建自己的套接字（不要用模块级的全局套接字），不要 bind 固定端口。",
          hint_en="Every call of tftp_download makes its own socket (no module-level socket shared by calls) and binds "
                  "no fixed port.")
    for want, (name, dest), record in zip(wants, jobs, records, strict=True):
        dl = Download.of(call_text(host, port, name, dest), record)
        succeeded(dl, want, hint_zh="两个下载各用各的套接字、各自的块编号和文件。",
                  hint_en="Each download has its own socket, block counter and file.")


# -- checks: an ERROR, and what is left afterwards ---------------------------------------------------
def failed_cleanly(dl: Download, code: int, message: str, zh: str, en: str):
    """The call raised TftpError(code, message) and left no file at dest."""
    err = dl.error
    check(err is not None, f"{zh}，tftp_download 应抛出 TftpError，但它正常返回了（{dl.value!r}）。",
          f"{en}: tftp_download must raise TftpError, but it returned ({dl.value!r}).", sent=dl.call)
    check(err["tftp"], f"{zh}，应抛出 TftpError，得到的是 {err['type']}: {err['message']}",
          f"{en}: it must raise TftpError, got {err['type']}: {err['message']}", sent=dl.call,
          hint_zh="收到操作码 5（ERROR）时：raise TftpError(错误码, 错误信息)，不要再等下去。",
          hint_en="On opcode 5 (ERROR): raise TftpError(code, message) at once; do not wait for more.")
    check(err["code"] == code and err["tftp_message"] == message, f"{zh}，TftpError 的 code / message 不对。",
          f"{en}: the TftpError's code / message are wrong.", sent=dl.call,
          expected=f"code={code}, message={message!r}", got=f"code={err['code']!r}, message={err['tftp_message']!r}",
          hint_zh="错误码是第 3–4 字节（大端）；错误信息从第 5 字节开始，到 0 字节为止。",
          hint_en="The code is bytes 3–4 (big-endian); the message starts at byte 5 and ends at the 0 byte.")
    check(not dl.file["exists"], f"{zh}，抛出异常后 {DEST} 还留着（{dl.file.get('size')} 字节）：不能留下不完整的文件。",
          f"{en}: {DEST} is still there after the exception ({dl.file.get('size')} bytes): no partial file may be left.",
          sent=dl.call, hint_zh="失败时关闭并删除（os.remove）已经写了一半的文件，再把异常抛出去。",
          hint_en="On failure close and delete (os.remove) the half-written file, then let the exception go on.")


def test_error_packet_raises_without_file(learner, files, server):
    dl = download(learner, server, "no-such-file.bin")
    failed_cleanly(dl, 1, "File not found", "服务器没有这个文件、回了 ERROR 1", "The server has no such file and answered ERROR 1")
    code, message = INJECTED_ERROR
    with TftpFaults(server, FAULT_HOST, error=4) as proxy:
        dl = download(learner, proxy.address, FAULTY)
    check(proxy.events(action="replaced by ERROR"), "测试没能在第 4 个 DATA 处发出 ERROR（客户端没有走到那里）。",
          "The test could not send its ERROR in place of DATA 4 (the client never got that far).", sent=dl.call)
    failed_cleanly(dl, code, message, f"收到 3 个 DATA 之后，服务器回了 ERROR {code}",
                   f"After 3 DATA packets, the server answered ERROR {code}")


def test_closes_socket_and_file(learner, files, server):
    want = served(files, FAULTY)
    dl = download(learner, server, FAULTY)
    succeeded(dl, want)
    left = dl.open
    check(left["udp_sockets"] == 0 and not left["dest_open"],
          f"tftp_download 返回后，还有 {left['udp_sockets']} 个 UDP 套接字开着"
          f"{'，' + DEST + ' 也没有关闭' if left['dest_open'] else ''}。",
          f"After tftp_download returned, {left['udp_sockets']} UDP socket(s) were still open"
          f"{' and ' + DEST + ' was not closed' if left['dest_open'] else ''}.",
          sent=dl.call, expected="0 个套接字，文件已关闭 / 0 sockets, file closed",
          got=f"{left['udp_sockets']} 个套接字 / sockets, {'文件开着 / file open' if left['dest_open'] else '文件已关闭 / file closed'}",
          hint_zh="每次调用新建自己的套接字，用 with 或 try/finally 在返回（或抛出异常）之前关闭它和文件；不要用模块级的套接字。",
          hint_en="Make a socket of your own in every call and close it and the file with with or try/finally before "
                  "returning (or raising); no module-level socket.")


# -- checks: 65538 blocks, then time stretched (a hang here ends the exercise's remaining checks) -------
def test_downloads_past_block_65535(learner, files, server):
    want = served(files, WRAP)
    dl = download(learner, server, WRAP, timeout=1.0, limit=30)
    succeeded(dl, want,
              hint_zh="块编号是 2 字节无符号数（struct.pack(\"!HH\", 4, block)）：65535 之后是 0，再是 1、2……"
                      "期望的下一个块编号要按 % 65536 计算。",
              hint_en="A block number is a 2-byte unsigned number (struct.pack(\"!HH\", 4, block)): after 65535 comes 0, "
                      "then 1, 2… Compute the next expected block number % 65536.")


def test_resends_ack_after_lost_data(learner, files, server):
    want = served(files, FAULTY)
    with TftpFaults(server, FAULT_HOST, drop=3) as proxy:
        dl = download(learner, proxy.address, FAULTY)
    lost = proxy.events(action="dropped")
    check(lost, "测试没能丢掉 DATA 3（客户端没有走到那里）。", "The test could not lose DATA 3 (the client never got that far).",
          sent=dl.call)
    asked = proxy.events(action="answered with the lost DATA")
    if not asked:
        acks = [e.number for e in proxy.events(source="client", kind="ACK")]
        how = (f"抛出了 {dl.error['type']}" if dl.error else "返回了") + " / " + (
            f"raised {dl.error['type']}" if dl.error else "returned")
        fail(f"DATA 3 在路上丢了：等了 {TIMEOUT} 秒没收到东西，客户端应再发一次 ACK 2，但它没有（收到的 ACK：{acks}），最后{how.split(' / ')[0]}。",
             f"DATA 3 was lost on the way: after {TIMEOUT} s without a packet the client must send ACK 2 again, but it "
             f"did not (ACKs received: {acks}); it then {how.split(' / ')[1]}.", sent=dl.call, **RETRANSMIT_HINT)
    succeeded(dl, want, **RETRANSMIT_HINT)


class Silent:
    """A bound UDP socket that never answers: it only keeps what arrives."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.address = self.sock.getsockname()
        self.received: list[bytes] = []
        self.arrived = threading.Condition()
        self._wake_r, self._wake_w = socket.socketpair()
        self._thread = threading.Thread(target=self._listen, daemon=True, name="silent-server")

    def _listen(self):
        while True:
            ready, _, _ = select.select([self.sock, self._wake_r], [], [])
            if self._wake_r in ready:
                return
            packet = self.sock.recv(65536)
            with self.arrived:
                self.received.append(packet)
                self.arrived.notify_all()

    def wait_for(self, count: int, timeout: float) -> list[bytes]:
        """What arrived, once ``count`` datagrams have or ``timeout`` passed."""
        with self.arrived:
            self.arrived.wait_for(lambda: len(self.received) >= count, timeout)
            return list(self.received)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._wake_w.send(b"x")
        self._thread.join(5)
        for sock in (self.sock, self._wake_r, self._wake_w):
            sock.close()
        return False


def test_silent_server_times_out(learner, files, server):
    timeout, retries = 0.25, 3
    with Silent() as silent:
        started = time.monotonic()
        dl = download(learner, silent.address, FAULTY, timeout=timeout, retries=retries)
        took = time.monotonic() - started
        requests = silent.wait_for(retries + 1, 1.0)
    gave_up(dl, timeout, retries, took, "服务器一直不回答", "The server never answered")
    check(len(requests) == retries + 1 and len(set(requests)) == 1,
          f"服务器一直不回答：请求应发送 1 次、再重发 {retries} 次（共 {retries + 1} 个相同的 RRQ），实际收到 {len(requests)} 个"
          f"（{len(set(requests))} 种）。",
          f"The server never answered: the request must be sent once and again {retries} times ({retries + 1} identical "
          f"RRQs), {len(requests)} arrived ({len(set(requests))} different).", sent=dl.call, **RETRANSMIT_HINT)
    with TftpFaults(server, FAULT_HOST, drop=2, silence=4) as proxy:  # DATA 2 lost once, DATA 3 the last to come
        started = time.monotonic()
        dl = download(learner, proxy.address, FAULTY, timeout=timeout, retries=retries)
        took = time.monotonic() - started
    gave_up(dl, timeout, retries, took, "服务器发完 DATA 3 之后不再回答", "The server stopped answering after DATA 3")
    acks = [e.number for e in proxy.events(source="client", port="tid", kind="ACK")]
    check(acks.count(3) == retries + 1,
          f"服务器发完 DATA 3 之后不再回答：ACK 3 应发送 1 次、再重发 {retries} 次（共 {retries + 1} 次），实际 {acks.count(3)} 次。",
          f"The server stopped answering after DATA 3: ACK 3 must be sent once and again {retries} times "
          f"({retries + 1} in all), it was sent {acks.count(3)} times.", sent=dl.call, got=f"ACKs: {acks}",
          hint_zh="每收到一个期望的 DATA，就把连续超时的次数清零（DATA 2 丢过一次，那一次不算在后面）。",
          hint_en="Count the timeouts in a row from 0 again after every expected DATA (DATA 2 was lost once: that "
                  "timeout does not count later).")


def gave_up(dl: Download, timeout: float, retries: int, took: float, zh: str, en: str):
    """The call raised TimeoutError in about (retries + 1) × timeout and left no file at dest."""
    err = dl.error
    check(err is not None and err["timeout"], f"{zh}时，tftp_download 应在重发 {retries} 次后抛出 TimeoutError。",
          f"{en}: tftp_download must raise TimeoutError after {retries} resends.", sent=dl.call,
          expected="TimeoutError", got=f"{err['type']}: {err['message']}" if err else f"returned {dl.value!r}",
          **RETRANSMIT_HINT)
    check(took < (retries + 1) * timeout + 3.0, f"{zh}：放弃用了 {took:.1f} 秒，应在约 {(retries + 1) * timeout:g} 秒后。",
          f"{en}: giving up took {took:.1f} s; it must be about {(retries + 1) * timeout:g} s.", sent=dl.call,
          hint_zh="用参数 timeout 作为每次等待的时间。", hint_en="Wait timeout seconds (the parameter) each time.")
    check(not dl.file["exists"], f"{zh}：超时后 {DEST} 还留着（{dl.file.get('size')} 字节）：不能留下不完整的文件。",
          f"{en}: {DEST} is still there after the timeout ({dl.file.get('size')} bytes): no partial file may be left.",
          sent=dl.call, hint_zh="失败时关闭并删除已经写了一半的文件。", hint_en="On failure close and delete the half-written file.")
