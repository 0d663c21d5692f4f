"""Turns measurements into the markdown tables of bench/results/latest.md."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from bench.scenarios import ISSUE_CONDUIT_CPU_US, PEER_CPU_US, Scenario
from bench.wrk import Result


@dataclass
class Report:
    header: list[str] = field(default_factory=list)
    setup: str = "PostgreSQL + Redis"  # what the main table really ran on (smoke: SQLite)
    scenarios: list[Scenario] = field(default_factory=list)
    conduit: dict[str, Result] = field(default_factory=dict)
    ceiling: dict[str, Result] = field(default_factory=dict)
    uncached: dict[str, Result] = field(default_factory=dict)
    database_path: list[Scenario] = field(default_factory=list)  # what the uncached run measured
    two_workers: dict[str, Result] = field(default_factory=dict)
    pages: list[Scenario] = field(default_factory=list)  # the web pages, measured cache on too
    cached_pages: dict[str, Result] = field(default_factory=dict)
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
        if self.cached_pages:
            lines += self._cached_pages()
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
            "### Cache disabled (CONDUIT_CACHE_ENABLED=false): the database path against the "
            "best peer",
            "",
            "The peer's CPU per request is a constant from issue 12, measured side by side on a "
            "machine of this kind (one worker each, PostgreSQL, 16 connections); its req/s is "
            "derived as 1 000 000 / its CPU µs (a saturated single-core worker). Conduit's "
            "figures are measured in this run.",
            "",
            "| scenario | req/s | p50 ms | p99 ms | errors | CPU µs/req | peer CPU µs/req "
            "| Conduit ÷ peer (target ≤ 0.5) | req/s ÷ peer's (target ≥ 2) | issue's Conduit µs |",
            "|---|---:|---:|---:|---:|---:|---:|---|---:|---:|",
        ]
        ratios = []
        for s in self.database_path:
            r = self.uncached.get(s.name)
            peer = PEER_CPU_US.get(s.name)
            if r is None or peer is None:
                continue
            ratio = r.cpu_us / peer
            ratios.append(ratio)
            verdict = "met" if 0 < ratio <= 0.5 else "MISSED"
            before = ISSUE_CONDUIT_CPU_US.get(s.name)
            lines.append(
                f"| {s.label} | {r.rps:,.0f} | {r.p50_ms:.2f} | {r.p99_ms:.2f} | {r.errors} "
                f"| {r.cpu_us:,.0f} | {peer:,.0f} | {ratio:.2f} ({verdict}) "
                f"| {r.rps * peer / 1e6:.2f} | {f'{before:,.0f}' if before else '-'} |"
            )
        missed = sum(1 for x in ratios if x > 0.5)
        lines += [
            "",
            f"- geometric mean of Conduit ÷ peer: **{_geomean(ratios):.2f}**; "
            f"above 0.5: **{missed}** of {len(ratios)}",
        ]
        return lines + self._pages()

    def _pages(self) -> list[str]:
        shown = [s for s in self.database_path if s.web and s.name in self.uncached]
        if not shown:
            return []
        lines = [
            "",
            "### Web pages on the database path (cache off)",
            "",
            "| page | req/s | p50 ms | p99 ms | errors | CPU µs/req | API reads with the same "
            "data: CPU µs/req | page ÷ API (target ≤ 1.5) |",
            "|---|---:|---:|---:|---:|---:|---|---|",
        ]
        for s in shown:
            r = self.uncached[s.name]
            parts = [(n, self.uncached[n].cpu_us) for n in s.same_data if n in self.uncached]
            api = sum(cpu for _, cpu in parts)
            ratio = r.cpu_us / api if api else 0.0
            verdict = "met" if 0 < ratio <= 1.5 else "MISSED"
            names = " + ".join(f"{n} {cpu:,.0f}" for n, cpu in parts)
            lines.append(
                f"| {s.label} | {r.rps:,.0f} | {r.p50_ms:.2f} | {r.p99_ms:.2f} | {r.errors} "
                f"| {r.cpu_us:,.0f} | {names} = {api:,.0f} | {ratio:.2f} ({verdict}) |"
            )
        return lines

    def _cached_pages(self) -> list[str]:
        lines = [
            "",
            f"### Web pages, one worker, {self.setup}, cache on (typed entries, issue 9)",
            "",
            "| page | req/s | p50 ms | p99 ms | errors | CPU µs/req | cache off: CPU µs/req |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        for s in self.pages:
            r = self.cached_pages.get(s.name)
            if r is None:
                continue
            off = self.uncached.get(s.name)
            lines.append(
                f"| {s.label} | {r.rps:,.0f} | {r.p50_ms:.2f} | {r.p99_ms:.2f} | {r.errors} "
                f"| {r.cpu_us:,.0f} | {f'{off.cpu_us:,.0f}' if off else '-'} |"
            )
        return lines

    def _two_workers(self) -> list[str]:
        lines = [
            "",
            "### Two workers (`conduit serve --workers 2`, cache on, server and wrk share both "
            "cores)",
            "",
            "| scenario | req/s | p50 ms | p99 ms | errors | vs one worker |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for s in self.scenarios:
            if s.name not in self.two_workers:
                continue
            r = self.two_workers[s.name]
            one = self.conduit.get(s.name)
            ratio = f"{r.rps / one.rps:.2f}x" if one and one.rps else "-"  # no main run
            lines.append(
                f"| {s.label} | {r.rps:,.0f} | {r.p50_ms:.2f} | {r.p99_ms:.2f} | {r.errors} "
                f"| {ratio} |"
            )
        return lines


def _geomean(values: list[float]) -> float:
    values = [v for v in values if v > 0]
    if not values:
        return 0.0
    return math.exp(sum(math.log(v) for v in values) / len(values))
