"""`make bench`: every benchmark, each against its ceiling, then the summary figures.

Each script prints its own figures as it goes; the last lines repeat them, one per line,
in the `name: value` form.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPTS = [
    "signon_bench.py",
    "pages_bench.py",
    "outbox_bench.py",
    "export_bench.py",
    "diff_bench.py",
]
SUMMARY = [
    "signon_vs_bare_insert",
    "outbox_vs_smtplib",
    "worker_rss_mb",
    "public_page_queries_100",
    "public_page_queries_5000",
    "overview_page_queries_100",
    "overview_page_queries_5000",
    "signatures_page_queries_100",
    "signatures_page_queries_5000",
    "pdf_1000_vs_weasyprint",
    "compare_100kb_disjoint_s",
]


def main() -> int:
    figures: dict[str, str] = {}
    failed = []
    for script in SCRIPTS:
        print(f"\n== {script}", flush=True)
        run = subprocess.run(
            [sys.executable, str(HERE / script)], cwd=HERE, capture_output=True, text=True
        )
        sys.stdout.write(run.stdout)
        if run.returncode != 0:
            failed.append(script)
            sys.stdout.write(run.stderr[-3000:])
        for line in run.stdout.splitlines():
            name, _, value = line.partition(":")
            if name in SUMMARY and value.strip():
                figures[name] = value.split("#")[0].strip()
    print("\n== summary")
    for name in SUMMARY:
        print(f"{name}: {figures.get(name, 'not measured')}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
