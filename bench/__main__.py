"""Run every benchmark and print its figures: ``python -m bench [--short] [--postgres URL]``."""
from __future__ import annotations

import argparse
import json
import platform
from datetime import datetime, timezone

from bench import api_storm, engine_ratio, inbox_page, step_cost, timer_lateness, timer_sweep


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--short", action="store_true", help="small sizes: proves the benchmarks run (CI)")
    parser.add_argument("--postgres", metavar="URL", help="also run (d)-(f) on this PostgreSQL database "
                        "(postgresql+psycopg://...; emptied first); without it they run on SQLite only")
    args = parser.parse_args()
    print(f"# ticketflow benchmarks {datetime.now(timezone.utc):%Y-%m-%d %H:%M}Z on {platform.platform()}, "
          f"{platform.python_version()}{' (short mode)' if args.short else ''}")
    for name, module in (("a. engine vs bare SpiffWorkflow", engine_ratio), ("b. timer sweep", timer_sweep),
                         ("c. step cost 100th vs 10th", step_cost)):
        result = module.run(short=args.short)
        print(f"{name}: {json.dumps({k: round(v, 3) if isinstance(v, float) else v for k, v in result.items()})}")
    for name, module in (("d. timer lateness under the scheduler", timer_lateness),
                         ("e. inbox page at scale", inbox_page), ("f. fault-report storm via REST", api_storm)):
        print(f"{name}: {json.dumps(module.run(short=args.short, postgres=args.postgres), ensure_ascii=False)}",
              flush=True)


if __name__ == "__main__":
    main()
