"""Runs in the sandbox beside the learner's ipmsg.py: labelled calls, observed as plain data.

Every observation is {"value": v} or {"raised": type, "message": text} (``probekit.values``).
"""
import ipmsg

from probekit.udp_calls import call_bounded
from probekit.values import observe


def build(cases):
    """{label: build_packet(**fields)} for [[label, fields], ...]."""
    return observe([(label, lambda f=fields: ipmsg.build_packet(**f)) for label, fields in cases])


def parse(cases):
    """{label: parse_packet(data)} for [[label, data], ...]."""
    return observe([(label, lambda d=data: ipmsg.parse_packet(d)) for label, data in cases])


def round_trips(cases):
    """{label: parse_packet(build_packet(**fields))} for [[label, fields], ...]."""
    def both(fields):
        fields = dict(fields)
        fields.pop("version")  # build_packet writes VERSION itself
        return ipmsg.parse_packet(ipmsg.build_packet(**fields))
    return observe([(label, lambda f=fields: both(f)) for label, fields in cases])


def send(ip, port, packet_no, user, host, text):
    """send_message(...) given 3 s: {"done", "value", "error", "stack",
    "open_sockets", "unclosed"} (see probekit.udp_calls.call_bounded)."""
    return call_bounded(3.0, lambda: ipmsg.send_message(ip, port, packet_no, user, host, text))
