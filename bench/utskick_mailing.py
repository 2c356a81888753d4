"""What mailing an utskick costs the worker: "Skicka" for N addresses, then the job's
`mail_queued` run in this process against a loopback SMTP server in a process of its own
(aiosmtpd's Sink, which takes every mail and keeps none). Prints the CPU time of this
process and the SQL statements, per mail, for queueing and for sending; never asserts.

    .venv/bin/python bench/utskick_mailing.py [--addresses 2000] [--database-url URL]

Without --database-url the database is a temporary SQLite file. Wall-clock time is
printed beside the load average: on a shared machine only the CPU and statement counts
are to be compared.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from flask_migrate import upgrade

from enkat import create_app
from enkat.extensions import db
from enkat.profiling import collect, count_statements
from enkat.services.organisation.forbund import create_forbund
from enkat.services.utskick import campaigns, mailing

BASE_URL = "https://enkat.example.se"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def smtp_sink(port: int) -> subprocess.Popen:
    process = subprocess.Popen([sys.executable, "-m", "aiosmtpd", "-n", "-c",
                                "aiosmtpd.handlers.Sink", "-l", f"127.0.0.1:{port}"])
    for _ in range(100):
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return process
        time.sleep(0.1)
    raise RuntimeError("the SMTP sink did not start")


class Measured:
    """CPU time of this process, wall-clock time and SQL statements of a block."""

    def __init__(self) -> None:
        count_statements(db.engine)

    def run(self, work) -> tuple[float, float, int]:
        cpu, wall = time.process_time(), time.monotonic()
        with collect() as statements:
            work()
        return time.process_time() - cpu, time.monotonic() - wall, len(statements)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--addresses", type=int, default=2000)
    parser.add_argument("--database-url")
    options = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="enkat-bench-mailing-"))
    port = free_port()
    sink = smtp_sink(port)
    try:
        url = options.database_url or f"sqlite:///{folder / 'enkat.sqlite'}"
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench",
                          "SMTP_URL": f"smtp://127.0.0.1:{port}", "BASE_URL": BASE_URL})
        with app.app_context():
            upgrade()
            measure(options.addresses, Measured())
    finally:
        sink.terminate()
        sink.wait()
        shutil.rmtree(folder, ignore_errors=True)


def measure(count: int, measured: Measured) -> None:
    forbund = create_forbund(f"bench-{os.getpid()}", "Samordningsförbundet Bänk")
    addresses = "\n".join(f"person{number}@example.se" for number in range(count))
    campaign = campaigns.create_campaign(campaigns.CampaignRequest(
        forbund=forbund, instrument_id="nns-styrelse", timepoint="arlig", title="Bänk",
        addresses_text=addresses, closes_on=campaigns.local_today() + dt.timedelta(days=14)),
        None)
    db.session.commit()

    def queue() -> None:
        mailing.queue_send(campaign)
        db.session.commit()

    def send() -> None:
        mailing.mail_queued(campaign.id, BASE_URL, checkpoint=db.session.commit)

    load = os.getloadavg()[0]
    for name, work in (("queue (the request of Skicka)", queue), ("send (the job)", send)):
        cpu, wall, statements = measured.run(work)
        print(f"{name}: {count} mails, CPU {cpu:.2f} s ({cpu / count * 1000:.2f} ms/mail), "
              f"{statements} SQL statements ({statements / count:.1f}/mail), "
              f"wall {wall:.1f} s at load {load:.1f}")
    sent = campaigns.campaign_counts(campaign).sent
    print(f"sent {sent} of {count}, SMTP connections {-(-count // mailing.BATCH_SIZE)} "
          f"({mailing.BATCH_SIZE} mails each)")


if __name__ == "__main__":
    main()
