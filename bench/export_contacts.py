"""Benchmark: export a large contact list as CSV, streamed, and watch time and memory.

    .venv/bin/python bench/export_contacts.py --contacts 100000

Builds a throwaway SQLite database (or uses DATABASE_URL's PostgreSQL when --postgres is
given), fills it with contacts, each with an e-mail, a phone and a current post, and exports
them all through the app's own /exports/contacts endpoint as an officer would. Prints the
rows per second and how much the process's memory grew while the file streamed.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert

from crm import create_app
from crm.extensions import db
from crm.models import Affiliation, Contact, ContactEmail, ContactPhone, Organization, User
from crm.services.contacts import name_key
from crm.services.reference_data import ensure_reference_data
from crm.services.users import hash_password

GIVEN = ["José Ángel", "María", "Ana", "Luis", "Guadalupe", "John", "Sarah", "Iñaki", "Sofía"]
FAMILY = ["Núñez", "García", "López", "Smith", "Hernández", "Peña", "Ortega", "Reyes", "Chávez"]
PASSWORD = "benchmark only"


def fill(count: int, seed: int) -> None:
    rng = random.Random(seed)
    ensure_reference_data()
    db.session.add(
        User(
            email="officer@bench.example",
            full_name="Bench Officer",
            role="officer",
            password_hash=hash_password(PASSWORD),
        )
    )
    organizations = [
        {
            "kind": "agency",
            "name": f"Agency {n}",
            "name_key": f"agency {n}",
            "country": "US",
            "search_key": f"agency {n}",
        }
        for n in range(max(1, count // 20))
    ]
    db.session.execute(insert(Organization), organizations)
    batch = 5000
    for start in range(0, count, batch):
        rows = []
        for n in range(start, min(count, start + batch)):
            given, family, second = rng.choice(GIVEN), rng.choice(FAMILY), rng.choice(FAMILY)
            rows.append(
                {
                    "given_names": given,
                    "family_name": family,
                    "second_family_name": second,
                    "name_key": name_key(given, family, second) + f" {n}",
                }
            )
        db.session.execute(insert(Contact), rows)
    ids = [row[0] for row in db.session.execute(db.select(Contact.id))]
    for start in range(0, len(ids), batch):
        chunk = ids[start : start + batch]
        db.session.execute(
            insert(ContactEmail),
            [
                {"contact_id": i, "address": f"person{i}@bench.example", "kind": "work"}
                for i in chunk
            ],
        )
        db.session.execute(
            insert(ContactPhone),
            [
                {"contact_id": i, "number": f"+1619555{i % 10000:04d}", "kind": "work"}
                for i in chunk
            ],
        )
        db.session.execute(
            insert(Affiliation),
            [
                {
                    "contact_id": i,
                    "organization_id": 1 + i % len(organizations),
                    "title": "Director",
                    "is_primary": True,
                }
                for i in chunk
            ],
        )
    db.session.commit()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--postgres", action="store_true", help="use DATABASE_URL")
    args = parser.parse_args()

    folder = tempfile.mkdtemp(prefix="crm-bench-")
    url = os.environ["DATABASE_URL"] if args.postgres else f"sqlite:///{folder}/bench.sqlite3"
    app = create_app(
        "testing", SQLALCHEMY_DATABASE_URI=url.replace("postgresql://", "postgresql+psycopg://")
    )
    with app.app_context():
        db.drop_all()
        db.create_all()
        started = time.perf_counter()
        fill(args.contacts, args.seed)
        print(f"filled {args.contacts} contacts in {time.perf_counter() - started:.1f} s")

    client = app.test_client()
    client.post("/login", data={"email": "officer@bench.example", "password": PASSWORD})

    def export() -> tuple[int, int]:
        response = client.get("/exports/contacts?format=csv", buffered=False)
        size = lines = 0
        for chunk in response.response:
            size += len(chunk)
            lines += chunk.count(b"\r\n")
        return size, lines - 1

    # Timed without tracing (tracemalloc slows Python several times over), then traced.
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    size, rows = export()
    elapsed = time.perf_counter() - started
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    export()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"exported {rows} rows ({size / 1e6:.1f} MB) in {elapsed:.2f} s")
    print(f"throughput: {rows / elapsed:,.0f} rows/s")
    print(f"peak Python memory while streaming: {peak / 1e6:.1f} MB")
    print(f"process peak RSS grew by {(rss_after - rss_before) / 1024:.1f} MB")


if __name__ == "__main__":
    main()
