"""Run every benchmark and print its figures: ``python -m bench [--short]``."""
from __future__ import annotations

import argparse
import json
import platform
from datetime import datetime, timezone

from bench import engine_ratio, step_cost, timer_sweep


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--short", action="store_true", help="small sizes: proves the benchmarks run (CI)")
    args = parser.parse_args()
    print(f"# ticketflow benchmarks {datetime.now(timezone.utc):%Y-%m-%d %H:%M}Z on {platform.platform()}, "
          f"{platform.python_version()}{' (short mode)' if args.short else ''}")
    for name, module in (("a. engine vs bare SpiffWorkflow", engine_ratio), ("b. timer sweep", timer_sweep),
                         ("c. step cost 100th vs 10th", step_cost)):
        result = module.run(short=args.short)
        print(f"{name}: {json.dumps({k: round(v, 3) if isinstance(v, float) else v for k, v in result.items()})}")


if __name__ == "__main__":
    main()
