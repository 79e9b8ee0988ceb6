#!/usr/bin/env python3
"""Submit load for the crash and two-node tests (python3 standard library only).

    submit_load.py --target URL [--target URL ...] --api-key KEY --acks FILE [options]

Runs THREADS threads until SECONDS have passed or SIGTERM/SIGINT arrives. Each thread submits
appeals in turn through the two ways in:

  open311  POST /open311/v2/requests.json (form-encoded, api_key): acknowledged when the answer is
           200/201 with a service_request_id;
  wizard   the resident wizard without JavaScript, as a browser with a cookie jar posts it:
           POST /form/appeal/new (category) -> 303 /appeal/T/what, then the step posts
           /form/appeal/T/{what,where,photos,who} (each a 303 to the next step), then
           POST /form/appeal/T/submit -> 303 /receipt/T, and GET /receipt/T showing the ticket:
           acknowledged only when the redirect AND the receipt page with the ticket both came.

Every appeal carries a unique marker (`ld-<hex>`) in its description, so the checker can tell
that an acknowledged ticket is the appeal that was sent, and count appeals that were stored but
never acknowledged (the answer was lost with the server).

A wizard submission that got no clear answer (the connection broke, a 5xx) is IN DOUBT: it may
or may not have been stored. As a resident would, the load submits such drafts again from the
same browser (their cookie): once more in the same run, and, with --pending FILE, in the next
run (the file keeps what is left; --retry-only does only that). The draft token is the
idempotency key, so a second submission must show the same receipt, never a second appeal.

An acknowledged appeal is appended to --acks as `ticket<TAB>marker<TAB>path<TAB>target` and the
file is flushed and fsynced before the next line: what is in the file was acknowledged. Every
attempt's marker goes to --attempts (same format, ticket `-`; not fsynced: it only feeds counts).

Every request has a timeout (--timeout, default 10 s). A target may be `https://`: the
certificate is not verified (a throwaway self-signed one in the two-node test). Per target, the
Origin header is the target's own origin, as a browser on that site sends it.

--events FILE gets one line per appeal attempt (`time path target ok|fail kind`, wall clock), for
timing analyses such as the two-node test's fail-over check; --ready FILE is created once the
threads run and SIGTERM/SIGINT are handled (a test waits for it before it starts its clock).

At exit prints one line of JSON to stdout: counts per path and outcome, per target, and the
errors by kind.
"""

import argparse
import http.client
import json
import os
import random
import re
import signal
import socket
import ssl
import sys
import threading
import time
import urllib.parse

TICKET_RE = re.compile(r"PA-([0-9A-Z]{4})-([0-9A-Z]{4})")
# The receipt's ticket element (the key, shown in groups of four, may contain "PA-XXXX-XXXX" too).
# Its text is split into groups kept whole (<span>s, <wbr>, hydration comments): read the
# element, drop the markup, then match.
RECEIPT_TICKET_ELEMENT_RE = re.compile(r'<dd(?= )[^>]*\bid="ticket"[^>]*>(.*?)</dd>', re.S)
MARKUP_RE = re.compile(r"<!--.*?-->|<[^>]*>", re.S)
LOCATION_RE = re.compile(r"^/appeal/([0-9a-f]{32})/what$")

CATEGORIES = [
    "neighbor_dispute", "family_dispute", "public_order", "safety_hazard", "sanitation",
    "property_mgmt", "wage_arrears", "food_drug", "pollution", "legal_aid",
    "land_demolition", "suggestion", "other",
]
# Answers to the wage category's required questions (issue 13), posted with every appeal: the
# wizard and Open311 read only the chosen category's, so the others ignore them.
WAGE_ANSWERS = {"q_employer": "某某建筑劳务公司", "q_amount": "3000", "q_months": "3"}
# The demo city (../shared/demo-city): bounding box of its grid, and its region cascade.
LNG = (106.600, 106.744)
LAT = (35.480, 35.561)
DISTRICTS = ["HD", "HX", "GX"]

DRAFT_COOKIE = "pingan_draft"

STOP = threading.Event()


class Target:
    def __init__(self, url):
        u = urllib.parse.urlsplit(url)
        if u.scheme not in ("http", "https") or not u.hostname:
            raise SystemExit(f"bad target {url!r}")
        self.url = url.rstrip("/")
        self.https = u.scheme == "https"
        self.host = u.hostname
        self.port = u.port or (443 if self.https else 80)
        self.origin = f"{u.scheme}://{u.netloc}"
        self.netloc = u.netloc


class Failed(Exception):
    """A step did not get the answer a success needs (kind names the reason)."""

    def __init__(self, kind):
        super().__init__(kind)
        self.kind = kind


class InDoubt(Failed):
    """The wizard's submission went out and no clear answer came back."""

    def __init__(self, kind, token, secret):
        super().__init__(kind)
        self.token = token
        self.secret = secret


class Client:
    """One keep-alive connection per thread and target; any error closes it (a fresh one next)."""

    def __init__(self, target, timeout):
        self.t = target
        self.timeout = timeout
        self.conn = None
        self.jar = {}  # (name, path) -> value

    def _connect(self):
        if self.t.https:
            ctx = ssl.create_default_context()
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            return http.client.HTTPSConnection(self.t.host, self.t.port, timeout=self.timeout, context=ctx)
        return http.client.HTTPConnection(self.t.host, self.t.port, timeout=self.timeout)

    def close(self):
        if self.conn is not None:
            try:
                self.conn.close()
            except Exception:
                pass
            self.conn = None

    def cookies_for(self, path):
        # RFC 6265 path-match: the cookie path is a prefix ending at a '/' boundary.
        out = []
        for (name, cpath), value in self.jar.items():
            if path == cpath or (path.startswith(cpath) and (cpath.endswith("/") or path[len(cpath)] == "/")):
                out.append(f"{name}={value}")
        return "; ".join(out)

    def remember(self, resp):
        for line in resp.msg.get_all("Set-Cookie") or []:
            parts = [p.strip() for p in line.split(";")]
            if "=" not in parts[0]:
                continue
            name, value = parts[0].split("=", 1)
            path = "/"
            gone = False
            for attr in parts[1:]:
                k, _, v = attr.partition("=")
                if k.lower() == "path" and v:
                    path = v
                elif k.lower() == "max-age" and v.strip() == "0":
                    gone = True
            if gone:
                self.jar.pop((name, path), None)
            else:
                self.jar[(name, path)] = value

    def request(self, method, path, form=None, origin=True):
        """Returns (status, headers, body). Raises Failed on transport errors."""
        headers = {"Host": self.t.netloc, "User-Agent": "pingan-submit-load"}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if origin and method != "GET":
            headers["Origin"] = self.t.origin
        c = self.cookies_for(path)
        if c:
            headers["Cookie"] = c
        try:
            if self.conn is None:
                self.conn = self._connect()
            self.conn.request(method, path, body=body, headers=headers)
            resp = self.conn.getresponse()
            data = resp.read()
        except (OSError, http.client.HTTPException, ssl.SSLError) as e:
            self.close()
            if isinstance(e, (socket.timeout, TimeoutError)):
                raise Failed("timeout") from None
            if isinstance(e, ConnectionRefusedError):
                raise Failed("refused") from None
            if isinstance(e, (ConnectionResetError, BrokenPipeError, http.client.RemoteDisconnected)):
                raise Failed("reset") from None
            raise Failed(type(e).__name__) from None
        self.remember(resp)
        if resp.getheader("Connection", "").lower() == "close":
            self.close()
        return resp.status, resp, data


class Acks:
    def __init__(self, path, attempts_path):
        self.lock = threading.Lock()
        self.f = open(path, "a", encoding="utf-8")
        self.a = open(attempts_path, "a", encoding="utf-8") if attempts_path else None

    def attempt(self, marker, path, target):
        if self.a:
            with self.lock:
                self.a.write(f"-\t{marker}\t{path}\t{target}\n")
                self.a.flush()

    def ack(self, ticket, marker, path, target):
        with self.lock:
            self.f.write(f"{ticket}\t{marker}\t{path}\t{target}\n")
            self.f.flush()
            os.fsync(self.f.fileno())


class Stats:
    def __init__(self, events_path=None):
        self.lock = threading.Lock()
        self.c = {}
        self.events = open(events_path, "a", encoding="utf-8") if events_path else None

    def add(self, key):
        with self.lock:
            self.c[key] = self.c.get(key, 0) + 1

    def event(self, path, target, outcome, kind=""):
        """One line per appeal attempt: wall-clock time it ended, path, target, ok/fail, why."""
        if self.events:
            with self.lock:
                self.events.write(f"{time.time():.3f}\t{path}\t{target}\t{outcome}\t{kind}\n")
                self.events.flush()


def description(marker, rnd):
    words = ["楼道里堆满杂物，消防通道被堵", "小区门口的路灯坏了一个多星期", "邻居装修噪音从早到晚",
             "工地拖欠工资三个月", "下水道反味，雨天积水"]
    return f"{rnd.choice(words)}（负载测试 {marker}）load test"


def who(rnd):
    if rnd.random() < 0.5:
        return {"identity": "anonymous"}
    return {"identity": "named", "name": "张三", "phone": "1380013" + f"{rnd.randrange(10000):04d}"}


def open311(client, key, marker, rnd):
    form = {
        "api_key": key,
        "service_code": rnd.choice(CATEGORIES),
        "description": description(marker, rnd),
        "lat": f"{rnd.uniform(*LAT):.6f}",
        "long": f"{rnd.uniform(*LNG):.6f}",
        **{f"attribute[{k[2:]}]": v for k, v in WAGE_ANSWERS.items()},
    }
    if rnd.random() < 0.3:
        form.update({"first_name": "小明", "last_name": "王", "phone": "13900139000"})
    status, _, body = client.request("POST", "/open311/v2/requests.json", form, origin=False)
    if status not in (200, 201):
        raise Failed(f"open311-{status}")
    try:
        rid = json.loads(body)[0]["service_request_id"]
    except (ValueError, KeyError, IndexError, TypeError):
        raise Failed("open311-body") from None
    m = TICKET_RE.fullmatch(rid)
    if not m:
        raise Failed("open311-id")
    return "PA" + m.group(1) + m.group(2)


def expect_redirect(status, resp, want, kind):
    loc = resp.getheader("Location", "")
    if status != 303 or loc != want:
        raise Failed(f"{kind}-{status}")
    return loc


def finish(client, token):
    """Submits draft `token` and reads its receipt: the ticket, or Failed."""
    status, resp, _ = client.request("POST", f"/form/appeal/{token}/submit", {})
    expect_redirect(status, resp, f"/receipt/{token}", "submit")
    status, _, body = client.request("GET", f"/receipt/{token}")
    if status != 200:
        raise Failed(f"receipt-{status}")
    elements = RECEIPT_TICKET_ELEMENT_RE.findall(body.decode("utf-8", "replace"))
    tickets = {m for e in elements for m in TICKET_RE.findall(MARKUP_RE.sub("", e))}
    if len(tickets) != 1:
        raise Failed("receipt-ticket")
    a, b = tickets.pop()
    return "PA" + a + b


def wizard(client, marker, rnd):
    client.jar.clear()
    status, resp, _ = client.request("POST", "/form/appeal/new", {"category": rnd.choice(CATEGORIES)})
    loc = resp.getheader("Location", "")
    m = LOCATION_RE.match(loc) if status == 303 else None
    if not m:
        raise Failed(f"new-{status}")
    token = m.group(1)
    base = f"/form/appeal/{token}"
    if rnd.random() < 0.5:
        where = {"lat": f"{rnd.uniform(*LAT):.6f}", "lng": f"{rnd.uniform(*LNG):.6f}"}
    else:
        d = rnd.choice(DISTRICTS)
        s = f"{d}0{rnd.randrange(1, 4)}"
        where = {"district": d, "street": s, "community": f"{s}0{rnd.randrange(1, 4)}", "lat": "", "lng": ""}
    where["address_note"] = "3号楼2单元"
    steps = [
        # The wage category's required extra questions (issue 13); other categories ignore them.
        ("what", {"description": description(marker, rnd), **WAGE_ANSWERS}, "where"),
        ("where", where, "photos"),
        ("photos", {}, "who"),
        ("who", who(rnd), "check"),
    ]
    for step, form, nxt in steps:
        status, resp, _ = client.request("POST", f"{base}/{step}", form)
        expect_redirect(status, resp, f"/appeal/{token}/{nxt}", step)
    try:
        return finish(client, token)
    except Failed as e:
        # The submission may or may not have been stored: a resident would submit again.
        secret = client.jar.get((DRAFT_COOKIE, f"/form/appeal/{token}"), "")
        raise InDoubt(e.kind, token, secret) from None


def retry(client, item):
    """Submits an in-doubt draft again from the browser that wrote it (same cookie)."""
    token, secret = item["token"], item["secret"]
    client.jar.clear()
    for path in (f"/form/appeal/{token}", f"/receipt/{token}"):
        client.jar[(DRAFT_COOKIE, path)] = secret
    return finish(client, token)


class Pending:
    """Drafts whose submission got no clear answer; tried again first (also by the next run)."""

    def __init__(self, path):
        self.path = path
        self.lock = threading.Lock()
        self.queue = []
        self.left = []
        if path and os.path.exists(path):
            with open(path, encoding="utf-8") as f:
                for line in f:
                    parts = line.rstrip("\n").split("\t")
                    if len(parts) == 4:
                        self.queue.append(dict(zip(("token", "secret", "marker", "target"), parts)))

    def take(self, target):
        with self.lock:
            for i, item in enumerate(self.queue):
                if item["target"] == target:
                    return self.queue.pop(i)
        return None

    def empty(self):
        with self.lock:
            return not self.queue

    def add(self, item):
        """A new in-doubt draft: tried again in this run."""
        with self.lock:
            self.queue.append(item)

    def keep(self, item):
        """A draft whose retry failed too: left for the next run."""
        with self.lock:
            self.left.append(item)

    def save(self):
        if not self.path:
            return
        with self.lock:
            items = self.left + self.queue
        tmp = self.path + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            for it in items:
                f.write(f"{it['token']}\t{it['secret']}\t{it['marker']}\t{it['target']}\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.path)
        return len(items)


def worker(n, args, targets, acks, stats, pending, deadline):
    rnd = random.Random(os.urandom(16))
    clients = {t.url: Client(t, args.timeout) for t in targets}
    i = n
    while not STOP.is_set() and time.monotonic() < deadline:
        t = targets[i % len(targets)]
        i += 1
        c = clients[t.url]
        item = pending.take(t.url)
        if item is not None:
            try:
                ticket = retry(c, item)
                acks.ack(ticket, item["marker"], "wizard-retry", t.url)
                stats.add(("wizard-retry", t.url, "ok"))
                stats.event("wizard-retry", t.url, "ok")
            except Failed as e:
                stats.add(("wizard-retry", t.url, "fail"))
                stats.event("wizard-retry", t.url, "fail", e.kind)
                stats.add(("error", "retry-" + e.kind))
                pending.keep(item)
                if e.kind in ("refused", "reset", "timeout"):
                    STOP.wait(0.05)
            continue
        if args.retry_only:
            if pending.empty():
                break
            STOP.wait(0.05)  # what is left is for another target's thread
            continue
        path = "open311" if rnd.random() < args.open311_share else "wizard"
        marker = "ld-" + os.urandom(8).hex()
        acks.attempt(marker, path, t.url)
        try:
            if path == "open311":
                ticket = open311(c, args.api_key, marker, rnd)
            else:
                ticket = wizard(c, marker, rnd)
            acks.ack(ticket, marker, path, t.url)
            stats.add((path, t.url, "ok"))
            stats.event(path, t.url, "ok")
        except Failed as e:
            stats.add((path, t.url, "fail"))
            stats.event(path, t.url, "fail", e.kind)
            stats.add(("error", e.kind))
            if isinstance(e, InDoubt) and e.secret:
                pending.add({"token": e.token, "secret": e.secret, "marker": marker, "target": t.url})
            if e.kind in ("refused", "reset", "timeout"):
                STOP.wait(0.05)  # the server is down or restarting: do not spin
    for c in clients.values():
        c.close()


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--target", action="append", required=True, help="base URL (repeatable: round robin)")
    p.add_argument("--api-key", required=True)
    p.add_argument("--acks", required=True)
    p.add_argument("--attempts")
    p.add_argument("--threads", type=int, default=12)
    p.add_argument("--seconds", type=float, default=60.0, help="upper bound on the run")
    p.add_argument("--timeout", type=float, default=10.0)
    p.add_argument("--open311-share", type=float, default=0.5)
    p.add_argument("--pending", help="in-doubt wizard drafts: tried first, then rewritten with those left")
    p.add_argument("--retry-only", action="store_true", help="only try the pending drafts again, then stop")
    p.add_argument("--events", help="append `time path target ok|fail kind` per appeal attempt")
    p.add_argument("--ready", help="file created once the threads run (and SIGTERM is handled)")
    args = p.parse_args()
    targets = [Target(u) for u in args.target]
    for s in (signal.SIGTERM, signal.SIGINT):
        signal.signal(s, lambda *_: STOP.set())
    acks = Acks(args.acks, args.attempts)
    stats = Stats(args.events)
    pending = Pending(args.pending)
    pending_in = len(pending.queue)
    deadline = time.monotonic() + args.seconds
    threads = [threading.Thread(target=worker, args=(n, args, targets, acks, stats, pending, deadline), daemon=True)
               for n in range(args.threads)]
    for t in threads:
        t.start()
    if args.ready:
        with open(args.ready, "w", encoding="utf-8") as f:
            f.write(f"{os.getpid()}\n")
    # Wake up regularly so signals are handled promptly.
    while any(t.is_alive() for t in threads):
        for t in threads:
            t.join(0.1)
        if time.monotonic() > deadline + args.timeout * 8 + 5:
            print("submit_load: threads did not finish in time", file=sys.stderr)
            break
    out = {"ok": {}, "fail": {}, "errors": {}, "targets": {}, "pending_in": pending_in}
    out["pending_out"] = pending.save() or 0
    for key, n in sorted(stats.c.items(), key=str):
        if key[0] == "error":
            out["errors"][key[1]] = n
        else:
            path, url, outcome = key
            out[outcome][path] = out[outcome].get(path, 0) + n
            tt = out["targets"].setdefault(url, {"ok": 0, "fail": 0})
            tt[outcome] += n
    print(json.dumps(out, sort_keys=True))


if __name__ == "__main__":
    main()
