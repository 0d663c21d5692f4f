"""Turns measurements into the markdown tables of bench/results/latest.md."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from bench.scenarios import Scenario
from bench.wrk import Result


@dataclass
class Report:
    header: list[str] = field(default_factory=list)
    setup: str = "PostgreSQL + Redis"  # what the main table really ran on (smoke: SQLite)
    scenarios: list[Scenario] = field(default_factory=list)
    conduit: dict[str, Result] = field(default_factory=dict)
    ceiling: dict[str, Result] = field(default_factory=dict)
    uncached: dict[str, Result] = field(default_factory=dict)
    two_workers: dict[str, Result] = field(default_factory=dict)
    rss_mb: float = 0.0
    login: list[str] = field(default_factory=list)
    scaling: list[str] = field(default_factory=list)
    hostile: list[str] = field(default_factory=list)

    def share(self, name: str, results: dict[str, Result]) -> float:
        ceiling = self.ceiling[name].rps
        return 100 * results[name].rps / ceiling if ceiling else 0.0

    def cpu_share(self, name: str, results: dict[str, Result]) -> float:
        """The ceiling's CPU time per request over Conduit's: the share a quiet machine shows."""
        mine = results[name].cpu_us
        return 100 * self.ceiling[name].cpu_us / mine if mine else 0.0

    def render(self) -> str:
        lines = [*self.header, ""]
        if self.conduit:
            lines += self._main()
        if self.uncached:
            lines += self._uncached()
        if self.two_workers:
            lines += self._two_workers()
        if self.login:
            lines += ["", "### Login load (password hashing off the event loop)", "", *self.login]
        if self.scaling:
            lines += ["", "### Cost that does not grow with data", "", *self.scaling]
        if self.hostile:
            heading = "### Reads under hostile traffic (25 slow bodies + a cache-filling client)"
            lines += ["", heading, "", *self.hostile]
        return "\n".join(lines) + "\n"

    def _main(self) -> list[str]:
        lines = [
            f"### One worker, {self.setup}, cache on",
            "",
            "| scenario | req/s | p50 ms | p99 ms | errors | ceiling req/s | share of ceiling "
            "| best known | multiple | target (5x) | CPU us/req (ceiling) | CPU-time share |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|",
        ]
        for s in self.scenarios:
            r, c = self.conduit[s.name], self.ceiling[s.name]
            share = self.share(s.name, self.conduit)
            multiple = share / s.best_known
            verdict = "met" if multiple >= 5 else f"MISSED ({multiple / 5:.0%} of it)"
            lines.append(
                f"| {s.label} | {r.rps:,.0f} | {r.p50_ms:.2f} | {r.p99_ms:.2f} | {r.errors} "
                f"| {c.rps:,.0f} | {share:.1f}% | {s.best_known}% | {multiple:.1f}x | {verdict} "
                f"| {r.cpu_us:,.0f} ({c.cpu_us:,.0f}) "
                f"| {self.cpu_share(s.name, self.conduit):.1f}% |"
            )
        reads = [s for s in self.scenarios if s.read]
        shares = [self.share(s.name, self.conduit) for s in reads]
        multiples = [self.share(s.name, self.conduit) / s.best_known for s in reads]
        cpu_shares = [self.cpu_share(s.name, self.conduit) for s in reads]
        worst_p99 = max(self.conduit[s.name].p99_ms for s in reads)
        errors = sum(r.errors for r in self.conduit.values())
        lines += [
            "",
            f"- read geometric mean of multiples: **{_geomean(multiples):.1f}x** (target >= 10x)",
            f"- read geometric mean share of the ceiling: **{_geomean(shares):.1f}%** "
            "(target >= 15%)",
            f"- the same from CPU time per request (less sensitive to other load on the machine): "
            f"**{_geomean(cpu_shares):.1f}%**, multiples "
            f"**{_geomean([c / s.best_known for c, s in zip(cpu_shares, reads, strict=True)]):.1f}x**",  # noqa: E501
            f"- worst read p99: **{worst_p99:.2f} ms** (target < 20 ms); errors: **{errors}**",
            f"- worker RSS after the run: **{self.rss_mb:.0f} MB** (target < 150 MB)",
        ]
        return lines

    def _uncached(self) -> list[str]:
        lines = [
            "",
            "### Cache disabled (CONDUIT_CACHE_ENABLED=false): the database path",
            "",
            "| scenario | req/s | p50 ms | p99 ms | errors | share | multiple | target (5x) "
            "| CPU us/req | CPU-time share |",
            "|---|---:|---:|---:|---:|---:|---:|---|---:|---:|",
        ]
        multiples = []
        for s in self.scenarios:
            if s.name not in self.uncached:
                continue
            r = self.uncached[s.name]
            share = self.share(s.name, self.uncached)
            multiple = share / s.best_known
            multiples.append(multiple)
            verdict = "met" if multiple >= 5 else f"MISSED ({multiple / 5:.0%} of it)"
            lines.append(
                f"| {s.label} | {r.rps:,.0f} | {r.p50_ms:.2f} | {r.p99_ms:.2f} | {r.errors} "
                f"| {share:.2f}% | {multiple:.1f}x | {verdict} | {r.cpu_us:,.0f} "
                f"| {self.cpu_share(s.name, self.uncached):.2f}% |"
            )
        lines += ["", f"- geometric mean of multiples: **{_geomean(multiples):.1f}x**"]
        return lines

    def _two_workers(self) -> list[str]:
        lines = [
            "",
            "### Two workers (`conduit serve --workers 2`, server and wrk share both cores)",
            "",
            "| scenario | req/s | p50 ms | p99 ms | errors | vs one worker |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for s in self.scenarios:
            if s.name not in self.two_workers:
                continue
            r = self.two_workers[s.name]
            ratio = r.rps / self.conduit[s.name].rps if self.conduit[s.name].rps else 0.0
            lines.append(
                f"| {s.label} | {r.rps:,.0f} | {r.p50_ms:.2f} | {r.p99_ms:.2f} | {r.errors} "
                f"| {ratio:.2f}x |"
            )
        return lines


def _geomean(values: list[float]) -> float:
    values = [v for v in values if v > 0]
    if not values:
        return 0.0
    return math.exp(sum(math.log(v) for v in values) / len(values))
